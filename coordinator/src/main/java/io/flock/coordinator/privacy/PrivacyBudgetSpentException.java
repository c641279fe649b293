package io.flock.coordinator.privacy;

import io.flock.coordinator.round.RoundClosedException;

/**
 * The next round would take the model's ε past {@code privacy.max-epsilon}: no round starts, and training stops.
 * Reaches a client as FAILED_PRECONDITION.
 */
public final class PrivacyBudgetSpentException extends RoundClosedException {
    /** @param message the ε spent, the budget, and what the next round would reach */
    public PrivacyBudgetSpentException(String message) {
        super("privacy_budget", message);
    }
}
