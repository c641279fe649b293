package io.flock.coordinator.intake;

import io.flock.core.FlockException;

/** A device sent a second, different update (another idempotency key) for a task it already answered. */
public class UpdateConflictException extends FlockException {
    /** @param message names the device and the task */
    public UpdateConflictException(String message) {
        super(message);
    }
}
