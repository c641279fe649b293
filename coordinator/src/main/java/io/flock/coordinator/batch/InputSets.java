package io.flock.coordinator.batch;

import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.store.BatchResultRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.InputSetRow;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.Digests;
import io.flock.core.data.RawRows;
import io.flock.core.link.Topics;
import io.flock.core.model.ModelSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered input sets and their stored predictions. {@link #register} checks a file completely (name, model,
 * size, rows, parse, feature count, finite values) before it stores anything, then replaces the set of that name and
 * its predictions in one transaction and tells the listeners (the batch job). Thread-safe.
 */
public final class InputSets {
    private static final Logger log = LoggerFactory.getLogger(InputSets.class);
    private final FlockStore store;
    private final ModelRegistry registry;
    private final Set<String> models;
    private final int maxRows;
    private final long maxSetBytes;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param store       where sets and predictions are kept
     * @param registry    the models sets are for
     * @param models      the models a set may name: those this coordinator serves (the device model, and the cloud model
     *                    that answers for it)
     * @param maxRows     rows a set may have
     * @param maxSetBytes bytes its file may have, as sent and decompressed
     */
    public InputSets(FlockStore store, ModelRegistry registry, Set<String> models, int maxRows, long maxSetBytes) {
        this.store = store;
        this.registry = registry;
        this.models = Set.copyOf(models);
        this.maxRows = maxRows;
        this.maxSetBytes = maxSetBytes;
    }

    /** Adds a listener told the name of every set registered from now on (on the registering thread). */
    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** @return the largest file accepted, in bytes */
    public long maxSetBytes() {
        return maxSetBytes;
    }

    /**
     * Registers a set, replacing the set of that name and its predictions atomically. Nothing is stored on an error.
     *
     * @return the set, not computed yet
     * @throws InvalidInputException      for a bad name or format, a file that does not parse, is empty, has NaN/Inf or
     *                                    another feature count than the model takes
     * @throws ModelNotFoundException     for a model this coordinator does not serve
     * @throws CapacityExceededException past batch.max-set-bytes or batch.max-rows
     */
    public InputSet register(String name, String model, String format, byte[] file) {
        FieldLimits.require("name", name, FieldLimits.MODEL);
        Topics.segment(name);
        FieldLimits.require("model", model, FieldLimits.MODEL);
        InputFormat f = InputFormat.parse(FieldLimits.require("format", format, FieldLimits.CODEC));
        if (!models.contains(model)) {
            throw new ModelNotFoundException("model '" + FieldLimits.echo(model) + "' is not served here (input sets may name "
                    + models.stream().sorted().collect(Collectors.joining(" or ")) + ")");
        }
        ModelSpec spec = ModelSpec.parse(registry.requireCurrent(model).spec());
        if (file.length > maxSetBytes) {
            throw new CapacityExceededException("input set " + name + " is " + file.length + " bytes, over batch.max-set-bytes=" + maxSetBytes);
        }
        RawRows rows = f.read(file, "input set " + name, maxRows, maxSetBytes);
        if (rows.rows() == 0) {
            throw new InvalidInputException("input set " + name + " has no rows");
        }
        if (rows.features() != spec.inputSize()) {
            throw new InvalidInputException("input set " + name + " has " + rows.features() + " features per row; model " + model
                    + " takes " + spec.inputSize());
        }
        InputSetRow row = new InputSetRow(name, model, f.wireName(), rows.rows(), rows.features(), Digests.sha256Hex(file), file.length,
                System.currentTimeMillis(), file);
        store.replaceInputSet(row);
        log.info("input set={} registered model={} rows={} features={} bytes={} sha256={}", name, model, rows.rows(), rows.features(),
                file.length, row.sha256().substring(0, 12));
        listeners.forEach(l -> l.accept(name));
        return toSet(row, null);
    }

    /** @return the registered sets by name, each with what its predictions were computed with */
    public List<InputSet> list() {
        Map<String, BatchResultRow> results = store.batchResults().stream().collect(Collectors.toMap(BatchResultRow::set,
                Function.identity()));
        return store.inputSets().stream().map(s -> toSet(s, results.get(s.name()))).toList();
    }

    /**
     * @return the set's rows, read from its stored file
     * @throws InputSetNotFoundException when it is gone
     */
    RawRows rows(InputSet set) {
        InputSetRow row = store.inputSet(set.name()).filter(r -> r.sha256().equals(set.sha256()))
                .orElseThrow(() -> new InputSetNotFoundException("input set " + set.name() + " was replaced or removed"));
        return set.format().read(row.file(), "input set " + set.name(), Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * @return the stored predictions of a set
     * @throws InputSetNotFoundException for an unknown set
     * @throws BatchNotReadyException    while its predictions are not computed yet
     */
    public BatchResult result(String name) {
        BatchResultRow r = store.batchResult(name).orElse(null);
        if (r == null) {
            if (store.inputSet(name).isEmpty()) {
                throw new InputSetNotFoundException("no input set named '" + FieldLimits.echo(name) + "'");
            }
            throw new BatchNotReadyException("the predictions of input set " + name + " are not computed yet; retry later");
        }
        return new BatchResult(r.set(), r.setSha256(), r.model(), r.version(), r.deviceVersion(), r.computedMs(), r.rows(), r.classes(),
                r.payload());
    }

    /** @return false when the set was replaced while its predictions were computed (nothing stored) */
    boolean save(BatchResult r) {
        return store.saveBatchResult(new BatchResultRow(r.set(), r.setSha256(), r.model(), r.version(), r.deviceVersion(), r.computedMs(),
                r.rows(), r.classes(), r.encoded()));
    }

    /** @return sets whose predictions by that model version now stand for {@code deviceVersion} */
    int restamp(String model, long version, long deviceVersion) {
        return store.restampBatchResults(model, version, deviceVersion);
    }

    private static InputSet toSet(InputSetRow s, BatchResultRow r) {
        return new InputSet(s.name(), s.model(), InputFormat.parse(s.format()), s.rows(), s.features(), s.sha256(), s.sizeBytes(),
                s.registeredMs(), r == null || !r.setSha256().equals(s.sha256()) ? null
                        : new InputSet.Computed(r.model(), r.version(), r.deviceVersion(), r.computedMs()));
    }
}
