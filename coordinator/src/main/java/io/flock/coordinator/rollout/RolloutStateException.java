package io.flock.coordinator.rollout;

import io.flock.core.FlockException;

/** A rollout action that does not apply now (a second rollout of a model, resuming one that is not paused): FAILED_PRECONDITION. */
public final class RolloutStateException extends FlockException {
    /** @param message what is in the way */
    public RolloutStateException(String message) {
        super(message);
    }
}
