package io.flock.coordinator.async;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.OpenTask;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.round.TaskSender;
import io.flock.coordinator.round.TrainingEngine;
import io.flock.coordinator.round.VersionPublisher;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.store.VersionRow;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.coordinator.strategy.Strategy;
import io.flock.core.DaemonThreads;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffered asynchronous training (FedBuff, Nguyen et al. 2022): no rounds. While {@link #runRound()} runs, the engine keeps
 * up to {@code async.concurrency} available devices training, each on the production version of the moment; every
 * accepted update is persisted, then folded into a {@link FedBuffBuffer} weighted by its examples and its staleness
 * (versions published since its base, {@link VersionLineage}); every {@code async.buffer-size} updates the server
 * optimizer turns the buffer into a version, which becomes production, and later tasks train from it.
 *
 * <p>Windows: the span between two versions is a window, stored as a round (OPEN while it collects, CLOSED when its
 * version is published); a task is named after the window it was sent in ({@link RoundEngine#taskId}), and its update is
 * stored under that window, so a device gets at most one task per window and is not sent another before its update of
 * the open window is folded. Updates not yet in a version keep their payloads in the store; a restarted engine folds them
 * again ({@link #recover()}), with the staleness they had.
 *
 * <p>Refused, before decoding and with nothing changed: an update whose base version this model never had
 * ({@code unknown_base}), one staler than {@code async.max-staleness} ({@code too_stale}), one for a task that is not out
 * ({@code no_task}: never sent, expired or refused), or of another version than its task's ({@code stale_base}).
 */
public final class AsyncEngine implements TrainingEngine {
    private static final Logger log = LoggerFactory.getLogger(AsyncEngine.class);
    private static final long TICK_MS = 20;
    private static final int LINEAGE_VERSIONS = 100_000;
    private final RoundPlan plan;
    private final AsyncConfig config;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final Strategy strategy;
    private final TaskSender sender;
    private final VersionPublisher publisher;
    private final Consumer<RoundResult> finished;
    private final TrainingSlots slots;
    private final AsyncTasks tasks = new AsyncTasks();
    private final Random random;
    // guarded by this
    private VersionLineage lineage;
    private FedBuffBuffer buffer;
    private RoundRecord window;
    private ModelParameters layout;
    private final Set<String> contributed = new HashSet<>();
    private final Map<String, Long> lastSent = new HashMap<>();
    private final List<String> folded = new ArrayList<>();
    private int sentInWindow;
    private int expiredInWindow;
    private volatile boolean stopping;
    private Thread dispatcher;

    /**
     * @param plan      the model, its network and pipeline, the seed, and {@code round.timeout}: the longest one
     *                  {@link #runRound()} waits for a version
     * @param config    the {@code async.*} settings
     * @param strategy  the training plan, and the server optimizer (its aggregation rule is not used: the buffer is a
     *                  staleness-weighted mean)
     * @param evaluator held-out scores of parameters, null when there is no held-out set
     * @param finished  told of every version's result (metrics)
     */
    public AsyncEngine(RoundPlan plan, AsyncConfig config, FlockStore store, ModelRegistry registry, DeviceRegistry devices,
                       Strategy strategy, TaskSender sender, Function<ModelParameters, Evaluation> evaluator,
                       Consumer<RoundResult> finished) {
        this.plan = plan;
        this.config = config;
        this.store = store;
        this.registry = registry;
        this.devices = devices;
        this.strategy = strategy;
        this.sender = sender;
        this.finished = finished;
        this.publisher = new VersionPublisher(plan, store, registry, strategy, evaluator);
        this.slots = new TrainingSlots(config.concurrency());
        this.random = new Random(plan.seed());
    }

    /**
     * Loads the versions the model had (for staleness), opens a window or resumes the open one, and folds the updates
     * accepted since the last version again. Runs on first use when not called at start-up.
     *
     * @return whether updates from before a restart were folded again
     */
    @Override
    public synchronized boolean recover() {
        if (lineage != null) {
            return false;
        }
        List<VersionRow> versions = new ArrayList<>(store.versions(plan.model(), LINEAGE_VERSIONS));
        Collections.reverse(versions);
        ModelVersion current = registry.requireCurrent(plan.model());
        lineage = new VersionLineage(versions.isEmpty() ? current.version() : versions.get(0).version());
        versions.stream().skip(1).forEach(v -> lineage.produced(v.version()));
        layout = registry.globalParameters(current);
        buffer = new FedBuffBuffer(layout, config.bufferSize(), config.maxStaleness(), config.weight());
        window = store.openRound(plan.model()).orElse(null);
        if (window == null) {
            openWindow(current);
        }
        List<StoredUpdate> pending = store.pendingUpdates(plan.model());
        for (StoredUpdate u : pending) {
            long staleness = lineage.knows(u.baseVersion()) ? lineage.staleness(u.baseVersion()) : Long.MAX_VALUE;
            if (staleness > config.maxStaleness()) {
                log.warn("update of device={} from version={} is too old after the restart (async.max-staleness={}): not folded",
                        u.deviceId(), u.baseVersion(), config.maxStaleness());
                continue;
            }
            fold(new ClientUpdate(u.deviceId(), u.baseVersion(), Codecs.byName(u.codec()).decode(u.payload()), u.numExamples(), 1,
                    staleness));
        }
        log.info("async training of {} from version={}, window={}: {} updates accepted before a restart folded again, buffer {} of {}",
                plan.model(), current.version(), window.round(), pending.size(), buffer.count(), config.bufferSize());
        return !pending.isEmpty();
    }

    private void openWindow(ModelVersion base) {
        window = new RoundRecord(plan.model(), store.lastRound(plan.model()) + 1, base.version(), List.of(), RoundRecord.OPEN,
                System.currentTimeMillis());
        store.openRound(window);
        contributed.clear();
        folded.clear();
        sentInWindow = 0;
        expiredInWindow = 0;
    }

    private void fold(ClientUpdate u) {
        buffer.add(u);
        contributed.add(u.deviceId());
        folded.add(u.deviceId());
        notifyAll();
    }

    /**
     * Waits until the buffer holds {@code async.buffer-size} updates, then publishes its version; when {@code round.timeout}
     * passes first, returns a result without a version (the buffer keeps what it has). Devices are kept training by the
     * engine's dispatcher thread, started on the first call, between calls too: it fills free slots while the buffer is
     * not full.
     */
    @Override
    public RoundResult runRound() throws InterruptedException {
        recover();
        startDispatcher();
        long start = System.nanoTime();
        long deadline = start + plan.roundTimeout().toNanos();
        synchronized (this) {
            while (!buffer.full()) {
                if (stopping) {
                    throw new InterruptedException("async training of " + plan.model() + " stopped");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("window={} has {} of {} updates after round.timeout={}; version={} stays current", window.round(),
                            buffer.count(), config.bufferSize(), plan.roundTimeout(), lineage.current());
                    RoundResult r = new RoundResult(window.round(), lineage.current(), CompletableFuture.completedFuture(null),
                            seconds(start), sentInWindow, 0, expiredInWindow, false, List.of());
                    finished.accept(r);
                    return r;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        RoundResult r = publish(start);
        finished.accept(r);
        return r;
    }

    private synchronized void startDispatcher() {
        if (dispatcher == null && !stopping) {
            dispatcher = DaemonThreads.named("flock-async-dispatch").newThread(this::dispatch);
            dispatcher.start();
        }
    }

    /** The dispatcher's loop: ends expired tasks, and sends tasks to free slots while the buffer is not full. */
    private void dispatch() {
        try {
            while (true) {
                Dispatch d;
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                    expire();
                    d = buffer.full() ? null : pick();
                    if (d == null) {
                        wait(TICK_MS);
                        continue;
                    }
                }
                send(d);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("async dispatcher of {} stopped: {}", plan.model(), e.toString(), e);
        }
    }

    /** The devices of one dispatch, and what they train. */
    private record Dispatch(RoundRecord window, ModelVersion base, List<String> devices, long deadline) {
    }

    private void expire() {
        for (AsyncTasks.Task t : tasks.expire(System.nanoTime())) {
            slots.finished(t.deviceId());
            expiredInWindow++;
            log.debug("task={} of device={} expired", t.id(), t.deviceId());
        }
    }

    /** @return devices to send a task now (their slots and tasks taken), or null when none is free */
    private Dispatch pick() {
        int free = slots.free();
        if (free == 0) {
            return null;
        }
        List<String> candidates = new ArrayList<>();
        for (String d : devices.available()) {
            Long last = lastSent.get(d);
            if (!contributed.contains(d) && (last == null || last != window.round()) && !slots.holds(d)) {
                candidates.add(d);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Collections.shuffle(candidates, random);
        List<String> chosen = candidates.subList(0, Math.min(free, candidates.size()));
        ModelVersion base = registry.requireCurrent(plan.model());
        long deadline = System.nanoTime() + config.taskTimeout().toNanos();
        List<String> taken = new ArrayList<>();
        for (String d : chosen) {
            if (slots.tryStart(d)) {
                tasks.sent(new AsyncTasks.Task(RoundEngine.taskId(plan.model(), window.round(), d), d, window.round(), base.version(),
                        deadline));
                lastSent.put(d, window.round());
                taken.add(d);
            }
        }
        sentInWindow += taken.size();
        return taken.isEmpty() ? null : new Dispatch(window, base, taken, deadline);
    }

    private void send(Dispatch d) {
        long deadlineMs = System.currentTimeMillis() + config.taskTimeout().toMillis();
        RoundRecord record = new RoundRecord(plan.model(), d.window().round(), d.base().version(), d.devices(), RoundRecord.OPEN,
                d.window().openedMs());
        List<String> unsent = sender.sendTrainTasks(record, d.base(), strategy.configure(d.window().round()), d.devices(), deadlineMs);
        for (String device : unsent) {
            if (tasks.cancel(RoundEngine.taskId(plan.model(), d.window().round(), device)) != null) {
                slots.finished(device);
            }
        }
    }

    /** Drains the buffer through the server optimizer into a version, and opens the next window; under the lock. */
    private synchronized RoundResult publish(long start) {
        int n = buffer.count();
        AggregatedUpdate combined = buffer.drain();
        ModelVersion current = registry.requireVersion(plan.model(), lineage.current());
        VersionPublisher.Outcome out = publisher.publish(current, combined, window.round());
        List<String> contributors = new ArrayList<>(folded);
        Collections.sort(contributors);
        RoundRecord closing = window;
        int sent = sentInWindow;
        int expired = expiredInWindow;
        if (out.version() == null) {
            store.finishRound(plan.model(), closing.round(), RoundRecord.FAILED, n, Double.NaN);
            store.dropAllPayloads(plan.model());
            log.warn("window={} failed: {}; version={} stays current", closing.round(), out.failure(), current.version());
            openWindow(current);
            return new RoundResult(closing.round(), current.version(), out.scores(), seconds(start), sent, 0, expired, false, contributors);
        }
        ModelVersion v = out.version();
        lineage.produced(v.version());
        store.finishRound(plan.model(), closing.round(), RoundRecord.CLOSED, n, Double.NaN);
        store.dropAllPayloads(plan.model());
        openWindow(v);
        log.info("window={} folded {} updates (staleness-weighted, {} examples) into version={}", closing.round(), n,
                (long) combined.totalWeight(), v.version());
        return new RoundResult(closing.round(), v.version(), out.scores(), seconds(start), sent, n, expired, false, contributors);
    }

    @Override
    public OpenTask require(UpdateSubmission s) {
        recover();
        AsyncTasks.Task t = tasks.require(s);
        synchronized (this) {
            if (t != null) {
                requireFresh(t, s.baseVersion(), lineage.staleness(s.baseVersion()));
                if (t.baseVersion() != s.baseVersion()) {
                    throw new RoundClosedException("stale_base", "update trained from version " + s.baseVersion() + " but task " + t.id()
                            + " trains version " + t.baseVersion());
                }
            }
            return new OpenTask(plan.model(), t == null ? s.round() : t.window(), s.deviceId(), s.baseVersion(), layout);
        }
    }

    /** Refuses an update staler than the maximum; its task ends (the device's slot goes to another). */
    private void requireFresh(AsyncTasks.Task t, long base, long staleness) {
        if (staleness > config.maxStaleness()) {
            if (tasks.cancel(t.id()) != null) {
                slots.finished(t.deviceId());
            }
            throw new RoundClosedException("too_stale", "update from device " + t.deviceId() + " trained from version " + base + ", "
                    + staleness + " versions ago; async.max-staleness=" + config.maxStaleness());
        }
    }

    @Override
    public synchronized Receipt accept(OpenTask task, ClientUpdate update, Supplier<StoredUpdate.Outcome> persist) {
        AsyncTasks.Task t = tasks.lookup(RoundEngine.taskId(plan.model(), task.round(), task.deviceId()));
        if (t == null) {
            return new Receipt(Receipt.Outcome.DUPLICATE, task.round(), buffer.count()); // answered before, under this key
        }
        long staleness = lineage.staleness(update.baseVersion()); // a version may have been published while it was decoded
        requireFresh(t, update.baseVersion(), staleness);
        switch (persist.get()) {
            case DUPLICATE:
                return new Receipt(Receipt.Outcome.DUPLICATE, task.round(), buffer.count());
            case CONFLICT:
                throw new UpdateConflictException("device " + task.deviceId() + " already delivered an update for window "
                        + task.round() + " under another idempotency key");
            default:
                fold(new ClientUpdate(update.deviceId(), update.baseVersion(), update.delta(), update.weight(), update.contributors(),
                        staleness));
                tasks.answered(t);
                slots.finished(t.deviceId());
                return new Receipt(Receipt.Outcome.ACCEPTED, task.round(), buffer.count());
        }
    }

    @Override
    public Receipt acceptMasked(OpenTask task, String idempotencyKey, byte[] payload) {
        throw new RoundClosedException("not_secure", "asynchronous training of " + plan.model() + " does not aggregate securely");
    }

    @Override
    public synchronized boolean taskRejected(String deviceId, long round, String taskId) {
        if (!RoundEngine.taskId(plan.model(), round, deviceId).equals(taskId) || tasks.cancel(taskId) == null) {
            return false;
        }
        slots.finished(deviceId);
        notifyAll();
        return true;
    }

    @Override
    public synchronized int acceptedInOpenRound() {
        return buffer == null ? -1 : buffer.count();
    }

    /** @return devices training now */
    public int training() {
        return slots.inFlight();
    }

    @Override
    public synchronized void stop() {
        stopping = true;
        notifyAll();
        if (buffer != null) {
            log.info("async training stopped with {} updates buffered in window={}: the next start folds them again", buffer.count(),
                    window.round());
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            stopping = true;
            notifyAll();
            t = dispatcher;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        publisher.close();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
