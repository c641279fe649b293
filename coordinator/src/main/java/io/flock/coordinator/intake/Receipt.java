package io.flock.coordinator.intake;

/**
 * What the intake did with an update.
 *
 * @param outcome         ACCEPTED (persisted and counted) or DUPLICATE (seen before under this key: nothing changed)
 * @param round           the round it belongs to
 * @param acceptedInRound updates the round holds after this one
 */
public record Receipt(Outcome outcome, long round, int acceptedInRound) {
    /** Whether the update counted now. */
    public enum Outcome {
        /** Persisted and folded into its round. */
        ACCEPTED,
        /** The device sent this idempotency key before; nothing changed. */
        DUPLICATE
    }
}
