package io.flock.coordinator.serving;

import io.flock.core.FlockException;

/** A prediction whose caller's deadline passed before it was computed; it was dropped (gRPC DEADLINE_EXCEEDED). */
public final class DeadlinePassedException extends FlockException {
    /** @param message what was dropped and why */
    public DeadlinePassedException(String message) {
        super(message);
    }
}
