package io.flock.coordinator.batch;

import io.flock.core.FlockException;

/** No input set has the name asked for. Nothing was changed. */
public final class InputSetNotFoundException extends FlockException {
    /** @param message names the set */
    public InputSetNotFoundException(String message) {
        super(message);
    }
}
