package io.flock.coordinator.batch;

import io.flock.core.FlockException;

/** An input set whose predictions are not computed yet (just registered, or replaced): ask again later. */
public final class BatchNotReadyException extends FlockException {
    /** @param message names the set and what it waits for */
    public BatchNotReadyException(String message) {
        super(message);
    }
}
