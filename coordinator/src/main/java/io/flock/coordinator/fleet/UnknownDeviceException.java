package io.flock.coordinator.fleet;

import io.flock.core.FlockException;

/** A device that is not registered, or failed enrollment. */
public class UnknownDeviceException extends FlockException {
    /** @param message names the device */
    public UnknownDeviceException(String message) {
        super(message);
    }
}
