package io.flock.coordinator.intake;

import io.flock.core.FlockException;

/** The intake holds as many bytes of uploads as its budget allows: the same upload may succeed later (UNAVAILABLE). */
public class IntakeBusyException extends FlockException {
    /** @param message says what is full and what to do */
    public IntakeBusyException(String message) {
        super(message);
    }
}
