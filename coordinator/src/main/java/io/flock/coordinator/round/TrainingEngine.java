package io.flock.coordinator.round;

import io.flock.coordinator.intake.TaskLedger;
import io.flock.coordinator.secagg.SecureSession;

/**
 * What trains a model, as its schedule and the services see it: synchronous rounds ({@link RoundEngine}) or buffered
 * asynchronous training ({@code io.flock.coordinator.async.AsyncEngine}). Both own the model's tasks (the intake hands
 * them updates as a {@link TaskLedger}) and produce versions one at a time.
 */
public interface TrainingEngine extends TaskLedger, AutoCloseable {
    /**
     * Produces the next version: a synchronous engine runs one round, an asynchronous one keeps devices training until
     * its buffer yields a version or the round timeout passes.
     *
     * @return what happened; a step that produced no version keeps the current one ({@link RoundResult#accepted()} 0)
     * @throws InterruptedException when interrupted or stopped while waiting
     */
    RoundResult runRound() throws InterruptedException;

    /**
     * A device refused its task: the engine stops waiting for it.
     *
     * @return whether the task was one of the engine's open tasks
     */
    boolean taskRejected(String deviceId, long round, String taskId);

    /** @return updates accepted towards the next version, -1 when nothing is open */
    int acceptedInOpenRound();

    /**
     * Re-opens what a previous process left open, with the updates it had accepted. Call once at start-up.
     *
     * @return whether something was resumed
     */
    boolean recover();

    /**
     * @return the open round's secure aggregation
     * @throws RoundClosedException when that round is not open, or not secure (an asynchronous engine never is)
     */
    default SecureSession secureSession(long round) {
        throw new RoundClosedException("not_secure", "round " + round + " does not aggregate securely");
    }

    /** Makes a {@link #runRound()} in progress, and any later one, end at once with InterruptedException. */
    void stop();

    /** Stops background work (scoring); call after {@link #stop()}. */
    @Override
    void close();
}
