package io.flock.coordinator.round;

import io.flock.core.FlockException;

/** An update for a round that is not open, or for a task or base version the round did not issue. */
public class RoundClosedException extends FlockException {
    /** @param message names the round asked for and the one open */
    public RoundClosedException(String message) {
        super(message);
    }
}
