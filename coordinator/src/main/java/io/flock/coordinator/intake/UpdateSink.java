package io.flock.coordinator.intake;

/** Where the transport hands updates: the gRPC edge sees only this. Thread-safe. */
public interface UpdateSink {
    /**
     * Validates, decodes and persists an update, then hands it to the engine that owns its task. An
     * acknowledged update survives a restart.
     *
     * @return ACCEPTED, or DUPLICATE for a key the device used before
     * @throws io.flock.core.InvalidInputException       malformed, wrong shape, non-finite, over-long fields
     * @throws io.flock.core.CapacityExceededException   over the size limit
     * @throws io.flock.coordinator.round.RoundClosedException no such open task, or a stale base version
     * @throws UpdateConflictException                   the device already delivered another update for this task
     */
    Receipt submit(UpdateSubmission submission);
}
