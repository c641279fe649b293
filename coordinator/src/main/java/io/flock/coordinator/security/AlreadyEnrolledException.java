package io.flock.coordinator.security;

import io.flock.core.FlockException;

/** An enrollment for a device id that is enrolled and not revoked: ALREADY_EXISTS, nothing changed. */
public class AlreadyEnrolledException extends FlockException {
    /** @param message names the device */
    public AlreadyEnrolledException(String message) {
        super(message);
    }
}
