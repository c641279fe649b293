package io.flock.coordinator.replica;

import io.flock.coordinator.intake.OpenTask;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.TaskLedger;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundTasks;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.coordinator.strategy.Strategy;
import java.util.function.Supplier;

/**
 * A model's task ledger on a replica: an upload for the round this replica's engine runs goes to the engine; an upload
 * for a round another replica runs (the lease holder) is checked against the round in the store (round number, selected
 * device and task id, base version) and stored, answered ACCEPTED or DUPLICATE as the holder would. The store keeps such
 * an update only while its round is OPEN and not sealed, and the holder folds what other replicas stored before it
 * aggregates ({@link RoundEngine#foldStored()}), so an update acknowledged here is in the round's version unless the round
 * fails. Thread-safe.
 */
public final class StoredRoundLedger implements TaskLedger {
    private final String model;
    private final RoundEngine engine;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final Strategy strategy;

    /**
     * @param engine   this replica's round engine for the model (it runs rounds while this replica holds the lease)
     * @param strategy the model's strategy: a secure round takes uploads only on the replica that runs it
     */
    public StoredRoundLedger(String model, RoundEngine engine, FlockStore store, ModelRegistry registry, Strategy strategy) {
        this.model = model;
        this.engine = engine;
        this.store = store;
        this.registry = registry;
        this.strategy = strategy;
    }

    @Override
    public OpenTask require(UpdateSubmission s) {
        if (engine.acceptedInOpenRound() >= 0) {
            return engine.require(s);
        }
        RoundRecord round = store.openRound(model).orElseThrow(() -> new RoundClosedException("no_round", "no round of " + model
                + " is open (update claims round " + s.round() + ")"));
        if (round.round() == s.round() && strategy.configure(round.round()).secure()) {
            throw new RoundClosedException("not_here", "round " + round.round() + " of " + model + " aggregates securely: only the"
                    + " replica that runs it takes its masked vectors");
        }
        return RoundTasks.require(round, s, false, registry.globalParameters(registry.requireVersion(model, round.baseVersion())));
    }

    @Override
    public Receipt accept(OpenTask task, ClientUpdate update, Supplier<StoredUpdate.Outcome> persist) {
        if (engine.acceptedInOpenRound() >= 0) {
            return engine.accept(task, update, persist);
        }
        return switch (persist.get()) {
            case SAVED -> new Receipt(Receipt.Outcome.ACCEPTED, task.round(), store.updatedDevices(model, task.round()).size());
            case DUPLICATE -> new Receipt(Receipt.Outcome.DUPLICATE, task.round(), store.updatedDevices(model, task.round()).size());
            case CONFLICT -> throw new UpdateConflictException("device " + task.deviceId() + " already delivered an update for round "
                    + task.round() + " under another idempotency key");
            case ROUND_CLOSED -> throw new RoundClosedException("round_closed", "round " + task.round() + " of " + model + " closed");
        };
    }

    @Override
    public Receipt acceptMasked(OpenTask task, String idempotencyKey, byte[] payload) {
        return engine.acceptMasked(task, idempotencyKey, payload);
    }
}
