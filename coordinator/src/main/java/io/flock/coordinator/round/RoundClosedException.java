package io.flock.coordinator.round;

import io.flock.core.FlockException;

/** An update for a round that is not open, or for a task or base version the round did not issue. */
public class RoundClosedException extends FlockException {
    private final String reason;

    /**
     * @param reason  a short label for metrics: round_closed, wrong_round, no_task, stale_base, no_round, too_stale, unknown_base
     * @param message names the round asked for and the one open
     */
    public RoundClosedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @return the short label of what was wrong */
    public String reason() {
        return reason;
    }
}
