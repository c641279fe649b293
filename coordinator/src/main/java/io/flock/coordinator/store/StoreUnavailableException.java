package io.flock.coordinator.store;

import io.flock.core.FlockException;

/**
 * The database cannot be reached (connection refused, closed by a restart, reset): the call changed nothing it
 * acknowledged, and the same call may succeed once the database is back. The store reconnects on the next call.
 * gRPC answers it as UNAVAILABLE, a status clients retry.
 */
public final class StoreUnavailableException extends FlockException {
    /** @param message what failed, with the database's own words */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
