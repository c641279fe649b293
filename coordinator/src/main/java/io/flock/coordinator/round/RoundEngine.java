package io.flock.coordinator.round;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.strategy.Aggregator;
import io.flock.coordinator.strategy.Strategy;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs federated rounds of one model, one at a time, as a recipe: select devices, send train tasks,
 * accept updates until enough arrive or the deadline passes, aggregate, then store, sign and push the
 * new version. The version is scored on the held-out set in the background ({@link VersionScoring})
 * while the next round runs. Accepted updates are persisted before they count, so a coordinator
 * restarted on the same database resumes the open round with them. {@link #submit} is thread-safe.
 */
public final class RoundEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoundEngine.class);
    private final RoundPlan plan;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final Strategy strategy;
    private final RoundHooks hooks;
    private final AtomicReference<OpenRound> open = new AtomicReference<>();
    private final VersionScoring scoring;
    private volatile ModelParameters base;

    /**
     * @param plan     model and round settings
     * @param store    durable state
     * @param registry model versions
     * @param devices  who is available
     * @param strategy selection and aggregation
     * @param hooks    transport and evaluation callbacks
     */
    public RoundEngine(RoundPlan plan, FlockStore store, ModelRegistry registry, DeviceRegistry devices, Strategy strategy,
                       RoundHooks hooks) {
        this.plan = plan;
        this.store = store;
        this.registry = registry;
        this.devices = devices;
        this.strategy = strategy;
        this.hooks = hooks;
        this.scoring = new VersionScoring(plan.model(), store, hooks::evaluate);
    }

    /** @return the task id of a device in a round; unique, and the basis of its idempotency key */
    public static String taskId(long round, String deviceId) {
        return "r" + round + "-" + deviceId;
    }

    /**
     * Runs one round to its end, resuming the open one if a previous process left it open.
     *
     * @return what happened; a round with no accepted update fails and keeps the current version
     * @throws InterruptedException when interrupted while waiting for updates
     */
    public RoundResult runRound() throws InterruptedException {
        long start = System.nanoTime();
        ModelVersion current = registry.requireCurrent(plan.model());
        OpenRound round = open.get();
        boolean resumed = round != null;
        if (!resumed) {
            base = registry.globalParameters(current);
            round = openNew(current);
            open.set(round);
        }
        long r = round.record().round();
        try {
            List<String> toAsk = new ArrayList<>();
            for (String d : round.selected()) {
                if (!round.hasAnswered(d)) {
                    toAsk.add(d);
                }
            }
            long deadline = System.nanoTime() + plan.roundTimeout().toNanos();
            long sending = System.nanoTime();
            int unsent = hooks.sendTrainTasks(round.record(), current, toAsk, System.currentTimeMillis() + plan.roundTimeout().toMillis());
            log.debug("round={} sent {} train tasks in {}ms ({} unsent)", r, toAsk.size(), (System.nanoTime() - sending) / 1_000_000, unsent);
            // devices that never got their task cannot answer: do not wait for them until the deadline
            int wanted = Math.min(plan.minResults(), round.selected().size() - unsent);
            int got = round.await(wanted, deadline);
            Aggregator aggregator = round.close();
            int failures = round.selected().size() - got;
            log.info("round={} received {} results and {} failures", r, got, failures);
            if (got == 0) {
                store.finishRound(plan.model(), r, RoundRecord.FAILED, 0, Double.NaN);
                return new RoundResult(r, current.version(), CompletableFuture.completedFuture(null), seconds(start),
                        round.selected().size(), 0, failures, resumed, round.selected());
            }
            long t0 = System.nanoTime();
            ModelParameters next = aggregator.result();
            long t1 = System.nanoTime();
            ModelVersion v = registry.publish(plan.model(), plan.spec(), plan.pipeline(), next, null);
            long t2 = System.nanoTime();
            hooks.push(v, next);
            store.finishRound(plan.model(), r, RoundRecord.CLOSED, got, Double.NaN);
            log.debug("round={} closing took aggregate={}ms publish={}ms push={}ms", r, (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
            log.info("round={} aggregated {} updates with {} into version={}", r, got, strategy.name(), v.version());
            return new RoundResult(r, v.version(), scoring.score(r, v.version(), next), seconds(start), round.selected().size(), got,
                    failures, resumed, round.selected());
        } finally {
            open.set(null);
        }
    }

    /**
     * Re-opens the round a previous process left open, with the updates it had accepted, so uploads
     * are accepted again at once; the next {@link #runRound()} finishes it. Call once at start-up.
     *
     * @return whether a round was resumed
     */
    public synchronized boolean recover() {
        RoundRecord record = store.openRound(plan.model()).orElse(null);
        if (record == null) {
            return false;
        }
        ModelVersion current = registry.requireCurrent(plan.model());
        if (record.baseVersion() < current.version()) {
            log.info("round={} was already published as version={}, closing it", record.round(), current.version());
            store.finishRound(plan.model(), record.round(), RoundRecord.CLOSED, store.updates(plan.model(), record.round()).size(),
                    current.accuracy());
            return false;
        }
        base = registry.globalParameters(current);
        open.set(resume(record));
        return true;
    }

    private OpenRound openNew(ModelVersion current) throws InterruptedException {
        long r = store.lastRound(plan.model()) + 1;
        List<String> available = awaitAvailable();
        List<String> selected = strategy.selectDevices(r, available, plan.devicesPerRound(), new Random(plan.seed() * 1_000_003L + r));
        RoundRecord record = new RoundRecord(plan.model(), r, current.version(), selected, RoundRecord.OPEN, System.currentTimeMillis());
        store.openRound(record);
        log.info("round={} sampled {} of {} available devices, base version={}", r, selected.size(), available.size(), current.version());
        return new OpenRound(record, strategy.newAggregator(base));
    }

    private OpenRound resume(RoundRecord record) {
        OpenRound round = new OpenRound(record, strategy.newAggregator(base));
        List<AcceptedUpdate> kept = store.updates(plan.model(), record.round());
        for (AcceptedUpdate u : kept) {
            round.fold(u.deviceId(), Codecs.byName(u.codec()).decode(u.payload()), u.numExamples());
        }
        log.info("round={} resumed after restart with {} accepted updates of {} selected", record.round(), kept.size(),
                record.selected().size());
        return round;
    }

    private List<String> awaitAvailable() throws InterruptedException {
        long deadline = System.nanoTime() + plan.roundTimeout().toNanos();
        List<String> available = devices.available();
        while (available.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            available = devices.available();
        }
        if (available.isEmpty()) {
            throw new RoundClosedException("no device became available within " + plan.roundTimeout());
        }
        return available;
    }

    /**
     * Validates, persists and aggregates one update.
     *
     * @return accepted count so far, or -1 for a duplicate idempotency key (nothing changed)
     * @throws RoundClosedException    for a round or task that is not open, or a stale base version
     * @throws InvalidInputException   for a bad codec, wrong shapes, NaN/Inf or a non-positive weight
     * @throws CapacityExceededException for a payload over the limit
     */
    public int submit(UpdateSubmission s) {
        devices.requireKnown(s.deviceId());
        OpenRound round = open.get();
        if (round == null) {
            throw new RoundClosedException("no round of " + plan.model() + " is open (update claims round " + s.round() + ")");
        }
        round.requireMatches(s);
        if (s.payload().length > plan.maxUpdateBytes()) {
            throw new CapacityExceededException("update of " + s.payload().length + " bytes exceeds limits.max-update-bytes="
                    + plan.maxUpdateBytes());
        }
        if (s.numExamples() <= 0) {
            throw new InvalidInputException("num_examples must be > 0, got " + s.numExamples());
        }
        if (s.idempotencyKey() == null || s.idempotencyKey().isEmpty()) {
            throw new InvalidInputException("idempotency_key must not be empty");
        }
        ModelParameters delta = Codecs.byName(s.codec()).decode(s.payload());
        base.requireSameLayout(delta);
        delta.requireFinite();
        AcceptedUpdate row = new AcceptedUpdate(plan.model(), s.round(), s.deviceId(), s.idempotencyKey(), s.numExamples(),
                s.codec(), s.payload(), System.currentTimeMillis());
        int count = round.accept(s, delta, () -> store.saveUpdate(row));
        if (count < 0) {
            log.info("round={} duplicate update device={} key={} ignored", s.round(), s.deviceId(), s.idempotencyKey());
        } else {
            log.debug("round={} accepted update device={} examples={} accepted={}", s.round(), s.deviceId(), s.numExamples(), count);
        }
        return count;
    }

    /** @return updates accepted in the open round, -1 when no round is open */
    public int acceptedInOpenRound() {
        OpenRound round = open.get();
        return round == null ? -1 : round.accepted();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Waits briefly for the scoring of the last version, then stops scoring. */
    @Override
    public void close() {
        scoring.close();
    }
}
