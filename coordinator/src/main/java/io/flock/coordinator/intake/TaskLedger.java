package io.flock.coordinator.intake;

import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import java.util.function.Supplier;

/**
 * The engine that owns a model's tasks (the round engine; later a buffered asynchronous engine), as the
 * intake sees it. Order of use: {@link #require} before decoding, then {@link #accept} with the decoded update.
 */
public interface TaskLedger {
    /**
     * @return the open task the submission answers
     * @throws io.flock.coordinator.round.RoundClosedException when there is none, or its base version is not the task's
     */
    OpenTask require(UpdateSubmission submission);

    /**
     * Persists and counts an update atomically with respect to the task closing: an update acknowledged
     * ACCEPTED is in the store and in the aggregate, never in one alone. (The persist step runs inside the
     * engine's lock for that reason: DESIGN.md's {@code accepted(ClientUpdate)} would let a round close
     * between the row and the fold.)
     *
     * @param persist stores the update, answering what the database's unique keys decided
     * @return the receipt
     * @throws io.flock.coordinator.round.RoundClosedException when the task closed meanwhile (nothing stored)
     * @throws UpdateConflictException when the device already delivered another update for the task
     */
    Receipt accept(OpenTask task, ClientUpdate update, Supplier<StoredUpdate.Outcome> persist);

    /**
     * Adds a secure round's masked vector to the round's ring sum (masked vectors are not persisted: a secure round
     * does not outlive its process, its keys and shares being in memory only).
     *
     * @param payload the vector, checked by its own decoder (length only: masked values are uniformly random)
     * @return ACCEPTED, or DUPLICATE for the same key and bytes again
     * @throws io.flock.coordinator.round.RoundClosedException when the task's round is not open or not secure
     * @throws io.flock.core.InvalidInputException             a vector of the wrong length
     * @throws UpdateConflictException                         a second, different vector from the device
     */
    Receipt acceptMasked(OpenTask task, String idempotencyKey, byte[] payload);

    /**
     * Checks a gateway's pre-aggregated update against the open task of each contribution (tiered aggregation): every
     * contributor was selected in the round with that task id and has not answered yet (directly or through another
     * aggregate), and the engine's rule combines means. A replay of an aggregate already counted passes, for
     * {@link #acceptAggregate} to answer DUPLICATE. Engines without tiers refuse it.
     *
     * @return the task the aggregate answers (its device id is the gateway): base version and layout to decode against
     * @throws io.flock.coordinator.round.RoundClosedException when the round is not open, a contributor has no such task,
     *                                                         or the engine does not take aggregates (secure round, robust
     *                                                         rule, central DP)
     * @throws UpdateConflictException                         when a contributor already answered
     */
    default OpenTask requireAggregate(UpdateSubmission aggregate) {
        throw new io.flock.coordinator.round.RoundClosedException("no_tiers", "the engine of " + aggregate.model()
                + " does not take gateways' pre-aggregated updates: devices upload their own");
    }

    /**
     * Persists and folds a gateway's aggregate as one update and marks every contributor answered, atomically with
     * respect to the task closing, as {@link #accept} does for one device.
     *
     * @param persist stores the aggregate with its contributions, answering what the database's unique keys decided
     * @return ACCEPTED, or DUPLICATE for a replay under the same idempotency key (nothing changed)
     */
    default Receipt acceptAggregate(OpenTask task, GatewayAggregate aggregate, Supplier<StoredUpdate.Outcome> persist) {
        throw new io.flock.coordinator.round.RoundClosedException("no_tiers", "the engine of " + task.model()
                + " does not take gateways' pre-aggregated updates: devices upload their own");
    }
}
