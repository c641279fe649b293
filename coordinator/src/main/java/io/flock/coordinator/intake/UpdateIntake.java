package io.flock.coordinator.intake;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one intake of updates: checks the fields, the device and the task, decodes the payload against the
 * task's base layout, then persists it and hands it to the engine that owns the task ({@link TaskLedger}),
 * atomically. Duplicates are caught by the database's unique keys. Thread-safe.
 */
public final class UpdateIntake implements UpdateSink {
    private static final Logger log = LoggerFactory.getLogger(UpdateIntake.class);
    private final FlockStore store;
    private final DeviceRegistry devices;
    private final long maxUpdateBytes;
    private final IntakeEvents events;
    private final ByteBudget budget;
    private final Map<String, TaskLedger> ledgers = new ConcurrentHashMap<>();
    private final GatewayIntake gateways;

    /**
     * @param store          where accepted updates are persisted
     * @param devices        who is registered
     * @param maxUpdateBytes largest accepted payload
     * @param events         told of each acceptance and refusal
     * @param budget         bytes all uploads in flight may hold; decoding reserves its share here
     */
    public UpdateIntake(FlockStore store, DeviceRegistry devices, long maxUpdateBytes, IntakeEvents events, ByteBudget budget) {
        this.budget = budget;
        this.store = store;
        this.devices = devices;
        this.maxUpdateBytes = maxUpdateBytes;
        this.events = events;
        this.gateways = new GatewayIntake(store, devices.gateways());
    }

    /** Routes the model's updates to the engine that owns its tasks. */
    public void register(String model, TaskLedger ledger) {
        ledgers.put(model, ledger);
    }

    @Override
    public Receipt submit(UpdateSubmission s) {
        try {
            Receipt r = accept(s);
            if (r.outcome() == Receipt.Outcome.ACCEPTED) {
                events.accepted(s.model());
            }
            return r;
        } catch (RuntimeException e) {
            events.rejected(e);
            throw e;
        }
    }

    /** Decodes against the task's layout while holding what decoding can allocate: the frame bound and the values. */
    private ModelParameters decode(UpdateSubmission s, ModelParameters layout) {
        long need = 12L * layout.totalSize() + (1 << 16);
        budget.reserve(need);
        try {
            return Codecs.byName(s.codec()).decode(s.payload(), layout);
        } finally {
            budget.release(need);
        }
    }

    /** Checks the payload's size, the weight and the idempotency key, which every update needs. */
    private void requireSized(UpdateSubmission s) {
        if (s.payload().length > maxUpdateBytes) {
            throw new CapacityExceededException("update of " + s.payload().length + " bytes exceeds limits.max-update-bytes="
                    + maxUpdateBytes);
        }
        if (s.numExamples() <= 0) {
            throw new InvalidInputException("num_examples must be > 0, got " + s.numExamples());
        }
        if (s.idempotencyKey() == null || s.idempotencyKey().isEmpty()) {
            throw new InvalidInputException("idempotency_key must not be empty");
        }
    }

    private Receipt accept(UpdateSubmission s) {
        FieldLimits.require("device_id", s.deviceId(), FieldLimits.DEVICE_ID);
        FieldLimits.require("model", s.model(), FieldLimits.MODEL);
        FieldLimits.require("task_id", s.taskId(), FieldLimits.TASK_ID);
        FieldLimits.require("idempotency_key", s.idempotencyKey(), FieldLimits.IDEMPOTENCY_KEY);
        FieldLimits.require("codec", s.codec(), FieldLimits.CODEC);
        devices.requireKnown(s.deviceId());
        if (s.model() == null || s.model().isEmpty()) {
            throw new InvalidInputException("model must be set");
        }
        TaskLedger ledger = ledgers.get(s.model());
        if (ledger == null) {
            throw new ModelNotFoundException("no model named '" + s.model() + "' takes updates here");
        }
        if (s.tiered()) {
            requireSized(s);
            Receipt r = gateways.accept(s, ledger, this::decode);
            log.debug("round={} aggregate gateway={} contributors={} examples={} {}", r.round(), s.deviceId(), s.contributions().size(),
                    s.numExamples(), r.outcome());
            return r;
        }
        OpenTask task = ledger.require(s);
        requireSized(s);
        if (s.masked()) {
            Receipt r = ledger.acceptMasked(task, s.idempotencyKey(), s.payload());
            log.debug("round={} masked vector device={} {}", task.round(), s.deviceId(), r.outcome());
            return r;
        }
        ModelParameters delta = decode(s, task.base());
        ClientUpdate update = new ClientUpdate(s.deviceId(), s.baseVersion(), delta, s.numExamples(), 1, 0);   // refuses NaN and Inf
        StoredUpdate row = new StoredUpdate(s.model(), task.round(), s.deviceId(), s.idempotencyKey(), s.numExamples(),
                s.baseVersion(), s.codec(), s.payload(), System.currentTimeMillis(), s.payloadSha256());
        Receipt r = ledger.accept(task, update, () -> store.saveUpdate(row));
        if (r.outcome() == Receipt.Outcome.DUPLICATE) {
            log.info("round={} duplicate update device={} ignored", task.round(), s.deviceId());
        } else {
            log.debug("round={} accepted update device={} examples={} accepted={}", task.round(), s.deviceId(), s.numExamples(),
                    r.acceptedInRound());
        }
        return r;
    }
}
