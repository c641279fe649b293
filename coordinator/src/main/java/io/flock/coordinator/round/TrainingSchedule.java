package io.flock.coordinator.round;

import io.flock.coordinator.privacy.PrivacyBudgetSpentException;
import io.flock.core.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a coordinator daemon runs its rounds: back to back (continuous), one every interval, or only when
 * triggered (manual: {@code --rounds N} at start, then {@link #trigger}). A round that cannot run (no device
 * available, an error) is logged and retried after a pause; the schedule never dies of one round.
 * {@link #close()} interrupts a round in progress (its accepted updates stay persisted and the next start
 * resumes it) and waits for the thread.
 */
public final class TrainingSchedule implements AutoCloseable {
    /** How rounds follow each other. */
    public enum Mode { CONTINUOUS, INTERVAL, MANUAL }

    private static final Logger log = LoggerFactory.getLogger(TrainingSchedule.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration HOLD_POLL = Duration.ofMillis(500);
    private final TrainingEngine rounds;
    private final Mode mode;
    private final Duration interval;
    private final long limit;
    private final Semaphore triggered = new Semaphore(0);
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile BooleanSupplier hold = () -> false;

    /**
     * @param interval time between round starts in interval mode
     * @param limit    in continuous and interval mode: rounds to run, 0 = no limit; in manual mode: rounds to run at once
     */
    public TrainingSchedule(TrainingEngine rounds, Mode mode, Duration interval, long limit) {
        this.rounds = rounds;
        this.mode = mode;
        this.interval = interval;
        this.limit = mode == Mode.MANUAL ? 0 : limit;
        if (mode == Mode.MANUAL) {
            triggered.release((int) Math.min(limit, Integer.MAX_VALUE));
        }
        this.thread = DaemonThreads.named("flock-schedule").newThread(this::loop);
    }

    /**
     * Holds rounds back while the condition is true (a staged rollout judging its candidate against the production
     * version: a round would change the version the control cohort runs). Checked before each round.
     *
     * @return this schedule
     */
    public TrainingSchedule holdWhile(BooleanSupplier condition) {
        this.hold = condition;
        return this;
    }

    /** Starts the schedule's thread; call once. */
    public TrainingSchedule start() {
        thread.start();
        return this;
    }

    /**
     * Asks for rounds now: in manual mode they are queued, in interval mode the next one starts without waiting
     * out the interval, in continuous mode rounds already run back to back.
     *
     * @return rounds waiting to start
     */
    public long trigger(int count) {
        triggered.release(count);
        return triggered.availablePermits();
    }

    private void loop() {
        long ran = 0;
        try {
            while (!Thread.currentThread().isInterrupted() && (limit == 0 || ran < limit)) {
                if (mode == Mode.MANUAL) {
                    triggered.acquire();
                } else {
                    triggered.drainPermits();
                }
                if (hold.getAsBoolean()) {
                    log.info("rounds held while a rollout runs");
                    while (hold.getAsBoolean()) {
                        Thread.sleep(HOLD_POLL.toMillis());
                    }
                    log.info("rounds resume: no rollout runs");
                }
                long started = System.nanoTime();
                try {
                    RoundResult r = rounds.runRound();
                    ran++;
                    log.info("round={} done: version={} accepted={} failures={} in {} s", r.round(), r.version(), r.accepted(),
                            r.failures(), String.format("%.2f", r.seconds()));
                } catch (PrivacyBudgetSpentException e) {
                    log.warn("training stopped: {}", e.getMessage());
                    break;
                } catch (RuntimeException e) {
                    log.warn("round not run: {}; retrying in {} s", e.getMessage(), RETRY.toSeconds());
                    if (mode == Mode.MANUAL) {
                        triggered.release();
                    }
                    Thread.sleep(RETRY.toMillis());
                    continue;
                }
                long wait = interval.toNanos() - (System.nanoTime() - started);
                if (mode == Mode.INTERVAL && wait > 0 && triggered.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                    log.info("round triggered before the interval ended");
                }
            }
            log.info("training schedule {} after {} rounds", Thread.currentThread().isInterrupted() ? "stopped" : "finished", ran);
        } catch (InterruptedException e) {
            log.info("training schedule stopped after {} rounds", ran);
        } finally {
            done.countDown();
        }
    }

    /** @return whether the schedule's thread has ended (its rounds ran, or it was stopped) */
    public boolean finished() {
        return done.getCount() == 0;
    }

    /** Stops after interrupting a round in progress; waits up to 10 s for the thread. */
    @Override
    public void close() {
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        rounds.stop();
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
