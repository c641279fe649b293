package io.flock.coordinator.security;

import io.flock.core.FlockException;

/** An authenticated caller asked for what its identity does not allow (another device's id, for one): PERMISSION_DENIED. */
public class AccessDeniedException extends FlockException {
    /** @param message what was refused, naming the caller */
    public AccessDeniedException(String message) {
        super(message);
    }
}
