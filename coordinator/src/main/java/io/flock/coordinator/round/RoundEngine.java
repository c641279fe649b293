package io.flock.coordinator.round;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.GatewayAggregate;
import io.flock.coordinator.intake.OpenTask;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.TaskLedger;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.privacy.PrivacyConfig;
import io.flock.coordinator.privacy.PrivacyLedger;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.secagg.SecureSession;
import io.flock.coordinator.secagg.SecureSum;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.StoredContribution;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.artifact.Digests;
import io.flock.core.privacy.NoiseRandom;
import io.flock.core.secagg.SecAggAbortedException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs federated rounds of one model, one at a time, as a recipe: select devices, configure and send train
 * tasks, wait until enough updates arrive or the deadline passes, aggregate, step the server optimizer, then
 * publish the new version and promote it to production (which serving and the announcer follow). The
 * intake hands it updates as the model's {@link TaskLedger}. The version is scored on the held-out set in
 * the background ({@link VersionScoring}) while the next round runs. Accepted updates are persisted before
 * they count, so a coordinator restarted on the same database resumes the open round with them.
 */
public final class RoundEngine implements TrainingEngine {
    private static final Logger log = LoggerFactory.getLogger(RoundEngine.class);
    private final RoundPlan plan;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final Strategy strategy;
    private final TaskSender sender;
    private final Consumer<RoundResult> finished;
    private final AtomicReference<OpenRound> open = new AtomicReference<>();
    private final VersionPublisher publisher;
    private final PrivacyLedger ledger;
    private final RandomGenerator noise = new NoiseRandom();
    private volatile boolean stopping;
    /** whether this replica holds the model's lease; null when no other replica shares the store */
    private volatile BooleanSupplier leaseHeld;

    /**
     * @param plan      model and round settings
     * @param store     durable state
     * @param registry  model versions
     * @param devices   who is available
     * @param strategy  selection, training plan, aggregation and server step
     * @param sender    delivers train tasks
     * @param evaluator held-out scores of parameters, null when there is no held-out set
     * @param finished  told of every round's result as it ends (metrics)
     */
    public RoundEngine(RoundPlan plan, FlockStore store, ModelRegistry registry, DeviceRegistry devices, Strategy strategy,
                       TaskSender sender, Function<ModelParameters, Evaluation> evaluator, Consumer<RoundResult> finished) {
        this(plan, store, registry, devices, strategy, sender, evaluator, finished, new PrivacyLedger(plan.model(), PrivacyConfig.off(), 0, store));
    }

    /**
     * @param ledger the model's differential privacy: its budget is checked before a round opens, and each published
     *               round is accounted in it
     */
    public RoundEngine(RoundPlan plan, FlockStore store, ModelRegistry registry, DeviceRegistry devices, Strategy strategy,
                       TaskSender sender, Function<ModelParameters, Evaluation> evaluator, Consumer<RoundResult> finished,
                       PrivacyLedger ledger) {
        this.ledger = ledger;
        this.plan = plan;
        this.store = store;
        this.registry = registry;
        this.devices = devices;
        this.strategy = strategy;
        this.sender = sender;
        this.finished = finished;
        this.publisher = new VersionPublisher(plan, store, registry, strategy, evaluator);
    }

    /**
     * @return the task id of a device in a round of a model; unique across the models of one registry (rounds of each
     *         are numbered from 1), and the basis of its idempotency key
     */
    public static String taskId(String model, long round, String deviceId) {
        return "r" + round + "-" + deviceId + "-" + Digests.sha256Hex(model.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
    }

    /** @return the strategy's name */
    public String strategyName() {
        return strategy.name();
    }

    /**
     * Runs one round to its end, resuming the open one if a previous process left it open.
     *
     * @return what happened; a round with fewer updates than the strategy's rule needs (none for a mean; Krum needs
     *         2f + 3), or whose server step gives a non-finite value, fails and keeps the current version
     * @throws InterruptedException when interrupted while waiting for devices or updates
     */
    @Override
    public RoundResult runRound() throws InterruptedException {
        RoundResult result = run();
        finished.accept(result);
        return result;
    }

    private RoundResult run() throws InterruptedException {
        requireLease();
        long start = System.nanoTime();
        ModelVersion current = registry.requireCurrent(plan.model());
        OpenRound round = open.get();
        if (round == null && leaseHeld != null && recover()) {
            round = open.get(); // a round a failed close left open in the store (the database went away): finish it
        }
        boolean resumed = round != null;
        if (!resumed) {
            round = openNew(current);
            start = System.nanoTime(); // a round's time counts from its opening, not from the wait for devices
            open.set(round);
            if (stopping) {
                round.abort();
            }
        } else {
            current = registry.requireVersion(plan.model(), round.record().baseVersion());
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
            TrainingPlan training = strategy.configure(r);
            List<String> unsent = sender.sendTrainTasks(round.record(), current, training, toAsk,
                    System.currentTimeMillis() + plan.roundTimeout().toMillis());
            unsent.forEach(round::unable);
            if (round.secure() != null) {
                return finishSecure(round, current, start, resumed, deadline);
            }
            int needed = Math.max(1, round.minimumUpdates());
            int got = round.await(Math.max(plan.minResults(), needed), deadline);
            var aggregator = round.close();
            got = sealAndFold(round, got);
            log.info("round={} received {} results and {} failures", r, got, round.selected().size() - got);
            if (aggregator.count() < needed) {
                return failed(round, current, start, resumed, got, got == 0 ? "no update arrived"
                        : got + " updates, and " + aggregator + " needs at least " + needed);
            }
            return publish(round, current, aggregator.result(), got, start, resumed);
        } finally {
            open.set(null);
        }
    }

    /** Runs a secure round's protocol stages after training, then publishes what the unmasked sum gives. */
    private RoundResult finishSecure(OpenRound round, ModelVersion current, long start, boolean resumed, long deadline)
            throws InterruptedException {
        SecureSession secure = round.secure();
        int advertised = secure.awaitAdvertised(Math.max(plan.minResults(), 1), deadline, round::aborted);
        log.info("round={} {} of {} devices finished training and advertised keys", round.record().round(), advertised,
                round.selected().size());
        SecureSum sum;
        try {
            sum = secure.finish(round::aborted); // masked vectors reach the session through the open round's tasks
        } catch (SecAggAbortedException e) {
            return failed(round, current, start, resumed, secure.masked(), "secure aggregation aborted, nothing published: " + e.getMessage());
        } finally {
            round.close();
        }
        AggregatedUpdate combined = ledger.enabled() && ledger.config().mode() == PrivacyConfig.Mode.CENTRAL
                ? sum.noisedMean(ledger.config().noiseMultiplier(), noise) : sum.mean();
        return publish(round, current, combined, sum.contributors(), start, resumed);
    }

    /** Steps the server optimizer, publishes and promotes the version, accounts its privacy and closes the round. */
    private RoundResult publish(OpenRound round, ModelVersion current, AggregatedUpdate combined, int got, long start, boolean resumed) {
        requireLease();
        long r = round.record().round();
        VersionPublisher.Outcome out = publisher.publish(current, combined, r);
        if (out.version() == null) {
            return failed(round, current, start, resumed, got, out.failure());
        }
        ModelVersion v = out.version();
        double epsilon = ledger.enabled() ? ledger.record(r, v.version(), round.samplingRate()).epsilon() : Double.NaN;
        store.finishRound(plan.model(), r, RoundRecord.CLOSED, got, Double.NaN);
        store.dropPayloads(plan.model(), r);
        log.info("round={} aggregated {} updates ({} uploads: a gateway's counts its devices) with {} into version={}", r, got,
                round.accepted(), strategy.name(), v.version());
        return new RoundResult(r, v.version(), out.scores(), seconds(start), round.selected().size(), got,
                round.selected().size() - got, resumed, round.selected(), epsilon);
    }

    /**
     * Ends a round that cannot produce a version: FAILED in the store with the updates that arrived, the current
     * version stays, the reason is logged; the result aggregated none.
     */
    private RoundResult failed(OpenRound round, ModelVersion current, long start, boolean resumed, int got, String reason) {
        requireLease();
        long r = round.record().round();
        store.finishRound(plan.model(), r, RoundRecord.FAILED, got, Double.NaN);
        store.dropPayloads(plan.model(), r);
        log.warn("round={} failed: {}; version={} stays current", r, reason, current.version());
        return new RoundResult(r, current.version(), CompletableFuture.completedFuture(null), seconds(start), round.selected().size(), 0,
                round.selected().size() - got, resumed, round.selected());
    }

    /**
     * Re-opens the round a previous process left open, with the updates it had accepted, so uploads are
     * accepted again at once; the next {@link #runRound()} finishes it. Call once at start-up.
     *
     * @return whether a round was resumed
     */
    @Override
    public synchronized boolean recover() {
        RoundRecord record = store.openRound(plan.model()).orElse(null);
        if (record == null) {
            return false;
        }
        ModelVersion current = registry.requireCurrent(plan.model());
        if (strategy.configure(record.round()).secure()) {
            log.info("round={} was a secure round: its keys and shares died with the previous process; closing it", record.round());
            store.finishRound(plan.model(), record.round(), RoundRecord.FAILED, 0, Double.NaN);
            return false;
        }
        if (record.baseVersion() != current.version()) {
            log.info("round={} trained version={} but production is version={}; closing it", record.round(), record.baseVersion(),
                    current.version());
            store.finishRound(plan.model(), record.round(), RoundRecord.FAILED, store.updates(plan.model(), record.round()).size(),
                    Double.NaN);
            store.dropPayloads(plan.model(), record.round());
            return false;
        }
        if (leaseHeld != null) {
            store.sealRound(plan.model(), record.round(), false); // a holder that died closing it had sealed it
        }
        open.set(resume(record, registry.globalParameters(current)));
        return true;
    }

    private OpenRound openNew(ModelVersion current) throws InterruptedException {
        long r = store.lastRound(plan.model()) + 1;
        List<String> available = awaitAvailable();
        List<String> selected = strategy.selector().select(r, available, plan.devicesPerRound(),
                new Random(plan.seed() * 1_000_003L + r));
        double samplingRate = ledger.samplingRate(selected.size(), available.size());
        ledger.requireBudget(samplingRate); // before anything is stored: a spent budget opens no round
        RoundRecord record = new RoundRecord(plan.model(), r, current.version(), selected, RoundRecord.OPEN, System.currentTimeMillis());
        store.openRound(record);
        log.info("round={} sampled {} of {} available devices, base version={}", r, selected.size(), available.size(), current.version());
        ModelParameters base = registry.globalParameters(current);
        TrainingPlan training = strategy.configure(r);
        SecureSession secure = training.secure() ? SecureSession.open(record, training, base) : null;
        return new OpenRound(record, base, strategy.aggregators().apply(base), samplingRate, secure);
    }

    private OpenRound resume(RoundRecord record, ModelParameters base) {
        OpenRound round = new OpenRound(record, base, strategy.aggregators().apply(base),
                ledger.samplingRate(record.selected().size(), Math.max(record.selected().size(), devices.available().size())), null);
        List<StoredUpdate> kept = store.updates(plan.model(), record.round());
        Map<String, List<String>> behind = new HashMap<>();
        for (StoredContribution c : store.contributions(plan.model(), record.round())) {
            behind.computeIfAbsent(c.gatewayId(), g -> new ArrayList<>()).add(c.deviceId());
        }
        for (StoredUpdate u : kept) {
            List<String> contributors = behind.get(u.deviceId());
            ClientUpdate update = StoredUpdates.toUpdate(u);
            if (contributors == null) {
                round.fold(update);
            } else {
                round.foldAggregate(u.deviceId(), new ClientUpdate(update.deviceId(), update.baseVersion(), update.delta(), update.weight(),
                        contributors.size(), 0), contributors);
            }
        }
        log.info("round={} resumed after restart with {} accepted updates of {} selected", record.round(), kept.size(),
                record.selected().size());
        return round;
    }

    /**
     * Makes this engine one of several replicas sharing the store: it runs rounds only while {@code holdsLease} says this
     * replica holds the model's lease, asked before a round opens and again right before it publishes or fails (a round
     * that finds it lost ends with RoundClosedException "lease_lost" and stays open for the next holder), and it seals a
     * round in the store before aggregating, folding in the updates other replicas stored for it. Call before the first
     * round.
     *
     * @return this engine
     */
    public RoundEngine replicated(BooleanSupplier holdsLease) {
        this.leaseHeld = holdsLease;
        return this;
    }

    /** @throws RoundClosedException "lease_lost" when replicas share the store and this one does not hold the lease */
    private void requireLease() {
        BooleanSupplier held = leaseHeld;
        if (held != null && !held.getAsBoolean()) {
            throw new RoundClosedException("lease_lost", "this replica does not hold the lease of " + plan.model()
                    + ": the holder runs its rounds");
        }
    }

    /**
     * Folds into the open round the updates other replicas stored for it (each device once). Cheap when there are none:
     * one query of device ids.
     *
     * @return updates folded now; 0 when no round is open or no replica shares the store
     */
    public int foldStored() {
        OpenRound round = open.get();
        return round == null || leaseHeld == null ? 0 : foldStored(round);
    }

    private int foldStored(OpenRound round) {
        return StoredUpdates.foldNew(store, round);
    }

    /**
     * With replicas: seals the closed round in the store, which waits for updates other replicas are storing, then folds
     * the final set. An update another replica acknowledged is then in the aggregate; one arriving later is refused.
     *
     * @return the updates the round holds
     */
    private int sealAndFold(OpenRound round, int got) {
        if (leaseHeld == null) {
            return got;
        }
        store.sealRound(plan.model(), round.record().round(), true);
        foldStored(round);
        return round.accepted();
    }

    /** Lets rounds run again after {@link #stop()}: for a replica that regained the lease. */
    public void restart() {
        stopping = false;
    }

    /** Waits, up to the round's deadline, until at least {@code minAvailable} devices are online. */
    private List<String> awaitAvailable() throws InterruptedException {
        long deadline = System.nanoTime() + plan.roundTimeout().toNanos();
        List<String> available = devices.available();
        while (available.size() < plan.minAvailable() && System.nanoTime() < deadline) {
            if (stopping) {
                throw new InterruptedException("the coordinator is stopping");
            }
            Thread.sleep(100);
            available = devices.available();
        }
        if (available.size() < plan.minAvailable()) {
            throw new RoundClosedException("no_devices", available.size() + " devices available after " + plan.roundTimeout()
                    + ", round.min-available=" + plan.minAvailable());
        }
        return available;
    }

    @Override
    public OpenTask require(UpdateSubmission s) {
        OpenRound round = open.get();
        if (round == null) {
            throw new RoundClosedException("no_round", "no round of " + plan.model() + " is open (update claims round " + s.round() + ")");
        }
        return round.require(s);
    }

    @Override
    public Receipt accept(OpenTask task, ClientUpdate update, Supplier<StoredUpdate.Outcome> persist) {
        OpenRound round = open.get();
        if (round == null || round.record().round() != task.round()) {
            throw new RoundClosedException("round_closed", "round " + task.round() + " of " + plan.model() + " is closed");
        }
        return round.accept(task, update, persist);
    }

    @Override
    public OpenTask requireAggregate(UpdateSubmission s) {
        OpenRound round = open.get();
        if (round == null) {
            throw new RoundClosedException("no_round", "no round of " + plan.model() + " is open (aggregate claims round " + s.round() + ")");
        }
        return GatewayAnswers.require(round, s);
    }

    @Override
    public Receipt acceptAggregate(OpenTask task, GatewayAggregate aggregate, Supplier<StoredUpdate.Outcome> persist) {
        OpenRound round = open.get();
        if (round == null || round.record().round() != task.round()) {
            throw new RoundClosedException("round_closed", "round " + task.round() + " of " + plan.model() + " is closed");
        }
        return GatewayAnswers.accept(round, aggregate, persist);
    }

    @Override
    public Receipt acceptMasked(OpenTask task, String idempotencyKey, byte[] payload) {
        return secureSession(task.round()).masked(task.deviceId(), idempotencyKey, payload);
    }

    /**
     * @return the open round's secure aggregation
     * @throws RoundClosedException when that round is not open, or not secure
     */
    @Override
    public SecureSession secureSession(long round) {
        OpenRound r = open.get();
        if (r == null || r.record().round() != round) {
            throw new RoundClosedException("round_closed", "round " + round + " of " + plan.model() + " is not open");
        }
        if (r.secure() == null) {
            throw new RoundClosedException("not_secure", "round " + round + " of " + plan.model() + " does not aggregate securely");
        }
        return r.secure();
    }

    /** @return the model's privacy ledger */
    public PrivacyLedger privacy() {
        return ledger;
    }

    /**
     * A device refused its task in the open round: the round stops waiting for it.
     *
     * @return whether the task belonged to the open round
     */
    @Override
    public boolean taskRejected(String deviceId, long round, String taskId) {
        OpenRound r = open.get();
        if (r == null || r.record().round() != round || !taskId(plan.model(), round, deviceId).equals(taskId)) {
            return false;
        }
        r.unable(deviceId);
        return true;
    }

    /** @return updates accepted in the open round, -1 when no round is open */
    @Override
    public int acceptedInOpenRound() {
        OpenRound round = open.get();
        return round == null ? -1 : round.accepted();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Makes a round in progress, and any later one, end at once with InterruptedException, leaving the open
     * round in the store for a restart to resume. For shutdown: call before {@link #close()}.
     */
    @Override
    public void stop() {
        stopping = true;
        OpenRound round = open.get();
        if (round != null) {
            round.abort();
            log.info("round={} left open with {} accepted updates: the next start resumes it", round.record().round(), round.accepted());
        }
    }

    /** Waits briefly for the scoring of the last version, then stops scoring. */
    @Override
    public void close() {
        publisher.close();
    }
}
