package io.flock.coordinator.round;

import io.flock.core.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a coordinator daemon runs its rounds: back to back (continuous), one every interval, or only the
 * number asked for at start (manual). A round that cannot run (no device available, an error) is logged
 * and retried after a pause; the schedule never dies of one round. {@link #close()} interrupts a round in
 * progress (its accepted updates stay persisted and the next start resumes it) and waits for the thread.
 */
public final class TrainingSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingSchedule.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private final RoundEngine rounds;
    private final Duration interval;
    private final long limit;
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);

    /**
     * @param interval time between round starts; zero = back to back
     * @param limit    rounds to run, 0 = no limit
     */
    public TrainingSchedule(RoundEngine rounds, Duration interval, long limit) {
        this.rounds = rounds;
        this.interval = interval;
        this.limit = limit;
        this.thread = DaemonThreads.named("flock-schedule").newThread(this::loop);
    }

    /** Starts the schedule's thread; call once. */
    public TrainingSchedule start() {
        thread.start();
        return this;
    }

    private void loop() {
        long ran = 0;
        try {
            while (!Thread.currentThread().isInterrupted() && (limit == 0 || ran < limit)) {
                long started = System.nanoTime();
                try {
                    RoundResult r = rounds.runRound();
                    ran++;
                    log.info("round={} done: version={} accepted={} failures={} in {} s", r.round(), r.version(), r.accepted(),
                            r.failures(), String.format("%.2f", r.seconds()));
                } catch (RuntimeException e) {
                    log.warn("round not run: {}; retrying in {} s", e.getMessage(), RETRY.toSeconds());
                    Thread.sleep(RETRY.toMillis());
                    continue;
                }
                long wait = interval.toNanos() - (System.nanoTime() - started);
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            log.info("training schedule {} after {} rounds", Thread.currentThread().isInterrupted() ? "stopped" : "finished", ran);
        } catch (InterruptedException e) {
            log.info("training schedule stopped after {} rounds", ran);
        } finally {
            done.countDown();
        }
    }

    /** @return whether the schedule ran all its rounds (or was stopped) */
    public boolean finished() {
        return done.getCount() == 0;
    }

    /** Stops after interrupting a round in progress; waits up to 10 s for the thread. */
    @Override
    public void close() {
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        thread.interrupt();
        try {
            if (!done.await(10, TimeUnit.SECONDS)) {
                log.warn("training schedule did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
