package io.flock.coordinator.monitor;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.TelemetryRow;
import io.flock.core.InvalidInputException;
import io.flock.core.stats.DriftSketch;
import io.flock.proto.v1.DataStatistics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What devices report about themselves: heartbeats (the version they run, their last rejection) and
 * telemetry windows (prediction counts by source, latency, errors, rejections, and the privacy-safe drift statistics).
 * A report is checked before anything is stored: the device must be registered, the model one the registry holds, the
 * version one the device may run ({@link VersionClaims}: not a candidate it was never sent, not a rollout's candidate
 * outside its cohort), every count non-negative, latencies finite, the window not from the future, and the statistics
 * in the announced bins. A report refused is stored nowhere and seen by no one. An accepted window goes, as counts
 * for the window alone ({@link DeviceWindow}), to the listeners: the rollout's health gates and the drift monitor.
 * Telemetry is kept for a retention period, pruned as reports arrive. Thread-safe.
 */
public final class FleetReports {
    private static final Logger log = LoggerFactory.getLogger(FleetReports.class);
    private static final long PRUNE_EVERY = 256;
    /** How far ahead of the coordinator's clock a device's clock may run. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    private final FlockStore store;
    private final DeviceRegistry devices;
    private final ModelRegistry registry;
    private final Duration retention;
    private final AtomicLong received = new AtomicLong();
    private final Map<String, long[]> totals = new ConcurrentHashMap<>();
    private final List<Consumer<DeviceWindow>> listeners = new CopyOnWriteArrayList<>();
    private volatile VersionClaims claims = VersionClaims.ANY;
    private volatile StatisticsParser statistics = s -> null;

    /** Checks what version a device says it runs. */
    @FunctionalInterface
    public interface VersionClaims {
        /** Believes any version the model has. */
        VersionClaims ANY = (device, version, sha256) -> { };

        /**
         * @param sha256 the artifact digest it reports, "" when none
         * @throws InvalidInputException when the device cannot be running that version
         */
        void require(String deviceId, long version, String sha256);
    }

    /** Turns reported statistics into counts in the announced bins. */
    @FunctionalInterface
    public interface StatisticsParser {
        /**
         * @return the counts, null when no bins are announced (the statistics are ignored)
         * @throws InvalidInputException for statistics that do not fit the bins or are not counts
         */
        DriftSketch parse(DataStatistics statistics);
    }

    /**
     * @param retention how long telemetry windows are kept
     */
    public FleetReports(FlockStore store, DeviceRegistry devices, ModelRegistry registry, Duration retention) {
        this.store = store;
        this.devices = devices;
        this.registry = registry;
        this.retention = retention;
    }

    /** Sets the check of version claims (the rollouts' assignments). */
    public void claims(VersionClaims c) {
        this.claims = c;
    }

    /** Sets the parser of drift statistics (the drift monitor's bins). */
    public void statistics(StatisticsParser p) {
        this.statistics = p;
    }

    /** Adds a listener told of every accepted telemetry window. */
    public void addListener(Consumer<DeviceWindow> l) {
        listeners.add(l);
    }

    /**
     * Records what a device says it runs.
     *
     * @throws InvalidInputException for an unknown model or version, or an over-long reason
     */
    public void heartbeat(String deviceId, String model, long runningVersion, String runningSha256, String lastRejection) {
        FieldLimits.require("last_rejection", lastRejection, FieldLimits.REASON);
        FieldLimits.require("running_sha256", runningSha256, 64);
        devices.requireKnown(deviceId);
        requireRunnable(model, runningVersion, true);
        if (model != null && !model.isEmpty()) {
            claims.require(deviceId, runningVersion, runningSha256);
        }
        devices.heartbeat(deviceId, runningVersion, lastRejection);
    }

    /**
     * Stores one telemetry window and tells the listeners.
     *
     * @param stats       its drift statistics, null when it has none
     * @param reportedMs  when the device says the window ended, Unix ms
     * @return telemetry windows received since start
     * @throws InvalidInputException for an unknown model or version, a version the device cannot run, a negative count,
     *                               a non-finite latency, a window from the future or statistics outside the bins
     */
    public long telemetry(TelemetryRow row, DataStatistics stats, long reportedMs) {
        devices.requireKnown(row.deviceId());
        requireRunnable(row.model(), row.runningVersion(), false);
        if (reportedMs > row.receivedMs() + CLOCK_SKEW.toMillis()) {
            throw new InvalidInputException("the window ends at " + reportedMs + " ms, " + (reportedMs - row.receivedMs())
                    + " ms after the coordinator's clock: a window from the future (skew allowed " + CLOCK_SKEW.toMillis() + " ms)");
        }
        if (stats != null && stats.getWindowStartUnixMs() > reportedMs) {
            throw new InvalidInputException("statistics start at " + stats.getWindowStartUnixMs() + " ms, after the window's end " + reportedMs);
        }
        claims.require(row.deviceId(), row.runningVersion(), "");
        requireCount("local_predictions", row.local());
        requireCount("offloaded_predictions", row.offloaded());
        requireCount("fallback_predictions", row.fallback());
        requireCount("errors", row.errors());
        requireCount("rejections", row.rejections());
        requireLatency("mean_latency_ms", row.meanLatencyMs());
        requireLatency("p99_latency_ms", row.p99LatencyMs());
        DriftSketch sketch = stats == null ? null : statistics.parse(stats);
        store.saveTelemetry(row);
        DeviceWindow w = window(row, sketch);
        for (Consumer<DeviceWindow> l : listeners) {
            try {
                l.accept(w);
            } catch (RuntimeException e) {
                log.warn("telemetry listener {} failed on device={}: {}", l.getClass().getSimpleName(), row.deviceId(), e.toString());
            }
        }
        long n = received.incrementAndGet();
        if (n % PRUNE_EVERY == 1) {
            int pruned = store.pruneTelemetry(row.receivedMs() - retention.toMillis());
            if (pruned > 0) {
                log.debug("pruned {} telemetry windows older than {}", pruned, retention);
            }
        }
        return n;
    }

    /** @return the window's counts alone: answer totals less the device's previous report (all of them after a restart) */
    private DeviceWindow window(TelemetryRow row, DriftSketch sketch) {
        long[] now = {row.local(), row.offloaded(), row.fallback()};
        long[] before = totals.put(row.deviceId(), now);
        long[] d = new long[3];
        boolean restarted = before == null || now[0] < before[0] || now[1] < before[1] || now[2] < before[2];
        for (int i = 0; i < 3; i++) {
            d[i] = restarted ? (before == null ? 0 : now[i]) : now[i] - before[i];
        }
        return new DeviceWindow(row.deviceId(), row.runningVersion(), row.receivedMs(), d[0] + d[1] + d[2], d[1] + d[2], d[0] + d[2],
                row.errors() + row.rejections(), row.meanLatencyMs(), sketch);
    }

    /**
     * Records a task a device refused, with its reason (also the device's last rejection).
     *
     * @throws InvalidInputException for an empty or over-long reason
     */
    public void taskRejected(String deviceId, String model, long round, String taskId, String reason) {
        FieldLimits.require("reason", reason, FieldLimits.REASON);
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("reason must not be empty");
        }
        devices.requireKnown(deviceId);
        store.saveTaskRejection(deviceId, model, round, taskId, reason, System.currentTimeMillis());
    }

    private void requireRunnable(String model, long version, boolean emptyModelAllowed) {
        FieldLimits.require("model", model, FieldLimits.MODEL);
        if (version < 0) {
            throw new InvalidInputException("running_version must be >= 0, got " + version);
        }
        if (model == null || model.isEmpty()) {
            if (emptyModelAllowed && version == 0) {
                return;
            }
            throw new InvalidInputException("model must be set");
        }
        if (!registry.hasModel(model)) {
            throw new InvalidInputException("the device reports model '" + FieldLimits.echo(model) + "', which this coordinator does not hold");
        }
        if (version > registry.latestVersion(model)) {
            throw new InvalidInputException("model " + model + " has no version " + version);
        }
    }

    private static void requireCount(String field, long value) {
        if (value < 0) {
            throw new InvalidInputException(field + " must be >= 0, got " + value);
        }
    }

    private static void requireLatency(String field, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new InvalidInputException(field + " must be finite and >= 0, got " + value);
        }
    }
}
