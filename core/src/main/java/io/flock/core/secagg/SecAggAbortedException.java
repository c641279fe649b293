package io.flock.core.secagg;

import io.flock.core.FlockException;

/** The round cannot produce a sum (too few participants left, or too few shares); the message names stage and counts. */
public final class SecAggAbortedException extends FlockException {
    /** @param message which stage, and which counts fell short */
    public SecAggAbortedException(String message) {
        super(message);
    }
}
