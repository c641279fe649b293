package io.flock.coordinator.replica;

import io.flock.coordinator.lease.ModelLease;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.TrainingSchedule;
import io.flock.core.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a model's training schedule on the replica that holds the model's lease. Every ttl/3 it takes or renews the
 * lease. On gaining it, it re-opens the round the store holds open (unsealing it, with the updates every replica
 * accepted for it) and starts a schedule, which finishes that round first. On losing it (a renewal refused, or the
 * lease expiring while the store is unreachable) it stops the schedule without closing the round: the next holder
 * finishes it. While it holds the lease it folds the updates other replicas store into the open round every 200 ms, so
 * the round ends as soon as enough arrived anywhere. {@link #close()} releases the lease so another replica takes over
 * at once. Thread-safe.
 */
public final class TrainingLeader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingLeader.class);
    private static final Duration FOLD_EVERY = Duration.ofMillis(200);
    private final ModelLease lease;
    private final RoundEngine engine;
    private final Supplier<TrainingSchedule> schedules;
    private final Duration renewEvery;
    /** two threads: folding a large round's payloads must not delay a renewal */
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, DaemonThreads.named("flock-lease"));
    private TrainingSchedule schedule;
    private boolean started;
    private boolean closed;

    /**
     * @param schedules  makes a new, unstarted schedule for each time this replica gains the lease
     * @param renewEvery how often to take or renew the lease (ttl/3)
     */
    public TrainingLeader(ModelLease lease, RoundEngine engine, Supplier<TrainingSchedule> schedules, Duration renewEvery) {
        this.lease = lease;
        this.engine = engine;
        this.schedules = schedules;
        this.renewEvery = renewEvery;
        engine.replicated(this::confirm);
    }

    /** Starts the lease loop; idempotent. */
    public synchronized TrainingLeader start() {
        if (!started) {
            started = true;
            timer.scheduleWithFixedDelay(this::tick, 0, renewEvery.toMillis(), TimeUnit.MILLISECONDS);
            timer.scheduleWithFixedDelay(this::fold, FOLD_EVERY.toMillis(), FOLD_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** @return whether this replica holds the lease (and so runs the model's rounds and announces its versions) */
    public boolean holds() {
        return lease.held();
    }

    /**
     * Renews the lease in the store right before a step that must have one runner (opening, publishing or failing a
     * round): when it answers true, no other replica can take the lease for a full ttl from now, by the store's row.
     *
     * @return whether this replica holds the lease after renewing it; false when the store cannot be reached
     */
    private boolean confirm() {
        try {
            return lease.tryAcquire() && lease.held();
        } catch (RuntimeException e) {
            log.warn("model={} replica={} lease not confirmed: {}", lease.model(), lease.replica(), e.getMessage());
            return false;
        }
    }

    /** @return the schedule running while this replica holds the lease, null otherwise */
    public synchronized TrainingSchedule schedule() {
        return schedule;
    }

    /** @return this replica's id in the leases table */
    public String replica() {
        return lease.replica();
    }

    private void tick() {
        boolean held;
        try {
            held = lease.tryAcquire();
        } catch (RuntimeException e) {
            held = lease.held(); // the store is unreachable: the lease lasts until its expiry by the clock, no longer
            log.warn("model={} replica={} lease not renewed: {}; held={}", lease.model(), lease.replica(), e.getMessage(), held);
        }
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (held && schedule == null) {
                    takeOver();
                } else if (!held && schedule != null) {
                    stepDown("lease lost");
                }
            }
        } catch (RuntimeException e) {
            log.warn("model={} replica={} take-over failed: {}; retrying in {} ms", lease.model(), lease.replica(), e.getMessage(),
                    renewEvery.toMillis());
        }
    }

    private void takeOver() {
        engine.restart();
        boolean resumed = engine.recover();
        schedule = schedules.get().start();
        log.info("model={} replica={} runs the training loop (epoch={}, open round {})", lease.model(), lease.replica(), lease.epoch(),
                resumed ? "resumed" : "none");
    }

    private void stepDown(String why) {
        TrainingSchedule s = schedule;
        schedule = null;
        s.close();
        log.info("model={} replica={} stopped its training loop: {}", lease.model(), lease.replica(), why);
    }

    private void fold() {
        try {
            if (holds()) {
                engine.foldStored();
            }
        } catch (RuntimeException e) {
            log.debug("model={} folding stored updates failed: {}", lease.model(), e.getMessage());
        }
    }

    /** Stops the schedule (its open round stays open), then releases the lease; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (schedule != null) {
                stepDown("closing");
            }
        }
        timer.shutdownNow();
        try {
            lease.release();
        } catch (RuntimeException e) {
            log.warn("model={} replica={} lease not released: {}; it expires by itself", lease.model(), lease.replica(), e.getMessage());
        }
    }
}
