package io.flock.core;

/**
 * Root of Flock's unchecked domain errors. Messages say what was wrong and with which value;
 * transports map subclasses to status codes in one place and never send stack traces.
 */
public class FlockException extends RuntimeException {
    /** @param message what was wrong, naming the offending value */
    public FlockException(String message) {
        super(message);
    }

    /** @param message what was wrong; @param cause the underlying failure */
    public FlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
