package io.flock.core.secagg;

import io.flock.core.FlockException;

/** A participant's message reached the server outside its stage (late, early, or after the round ended). */
public final class StageClosedException extends FlockException {
    /** @param message what arrived, from whom, and the server's current stage */
    public StageClosedException(String message) {
        super(message);
    }
}
