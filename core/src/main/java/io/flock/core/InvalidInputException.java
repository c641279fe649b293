package io.flock.core;

/** Input that is malformed, of the wrong shape, non-finite or otherwise unusable. Nothing was changed. */
public class InvalidInputException extends FlockException {
    /** @param message what was wrong, naming the offending value */
    public InvalidInputException(String message) {
        super(message);
    }
}
