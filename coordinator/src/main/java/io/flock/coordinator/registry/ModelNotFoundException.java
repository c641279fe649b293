package io.flock.coordinator.registry;

import io.flock.core.FlockException;

/** A model, version or artifact that the registry does not hold. */
public class ModelNotFoundException extends FlockException {
    /** @param message names the model, version or SHA-256 asked for */
    public ModelNotFoundException(String message) {
        super(message);
    }
}
