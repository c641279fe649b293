package io.flock.coordinator.monitor;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.FieldLimits;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.TelemetryRow;
import io.flock.core.InvalidInputException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What devices report about themselves: heartbeats (the version they run, their last rejection) and
 * telemetry windows (prediction counts by source, latency, errors, rejections). A report is checked
 * before anything is stored: the device must be registered, the model one the registry holds, the version
 * 0 or one of that model's, every count non-negative. Telemetry is kept for a retention period, pruned as
 * reports arrive. Thread-safe.
 */
public final class FleetReports {
    private static final Logger log = LoggerFactory.getLogger(FleetReports.class);
    private static final long PRUNE_EVERY = 256;
    private final FlockStore store;
    private final DeviceRegistry devices;
    private final ModelRegistry registry;
    private final Duration retention;
    private final AtomicLong received = new AtomicLong();

    /**
     * @param retention how long telemetry windows are kept
     */
    public FleetReports(FlockStore store, DeviceRegistry devices, ModelRegistry registry, Duration retention) {
        this.store = store;
        this.devices = devices;
        this.registry = registry;
        this.retention = retention;
    }

    /**
     * Records what a device says it runs.
     *
     * @throws InvalidInputException for an unknown model or version, or an over-long reason
     */
    public void heartbeat(String deviceId, String model, long runningVersion, String lastRejection) {
        FieldLimits.require("last_rejection", lastRejection, FieldLimits.REASON);
        devices.requireKnown(deviceId);
        requireRunnable(model, runningVersion, true);
        devices.heartbeat(deviceId, runningVersion, lastRejection);
    }

    /**
     * Stores one telemetry window.
     *
     * @return telemetry windows received since start
     * @throws InvalidInputException for an unknown model or version, a negative count or a non-finite latency
     */
    public long telemetry(TelemetryRow row) {
        devices.requireKnown(row.deviceId());
        requireRunnable(row.model(), row.runningVersion(), false);
        requireCount("local_predictions", row.local());
        requireCount("offloaded_predictions", row.offloaded());
        requireCount("fallback_predictions", row.fallback());
        requireCount("errors", row.errors());
        requireCount("rejections", row.rejections());
        requireLatency("mean_latency_ms", row.meanLatencyMs());
        requireLatency("p99_latency_ms", row.p99LatencyMs());
        store.saveTelemetry(row);
        long n = received.incrementAndGet();
        if (n % PRUNE_EVERY == 1) {
            int pruned = store.pruneTelemetry(row.receivedMs() - retention.toMillis());
            if (pruned > 0) {
                log.debug("pruned {} telemetry windows older than {}", pruned, retention);
            }
        }
        return n;
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
