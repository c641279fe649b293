package io.flock.core;

/** A request larger than a configured limit (bytes, values, queue length). Nothing was changed. */
public class CapacityExceededException extends FlockException {
    /** @param message names the limit and the size seen */
    public CapacityExceededException(String message) {
        super(message);
    }
}
