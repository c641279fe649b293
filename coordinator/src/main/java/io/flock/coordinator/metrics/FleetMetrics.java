package io.flock.coordinator.metrics;

import io.flock.coordinator.rollout.Rollout;
import io.flock.coordinator.rollout.RolloutStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Prometheus metrics of fleet operations: the rollout's stage and status, each drift statistic's PSI and the alarms,
 * and retraining triggers by reason. Registered on the coordinator's registry. Thread-safe.
 */
public final class FleetMetrics {
    private final Gauge psi;
    private final Counter alarms;
    private final Counter triggers;

    /**
     * @param model    the model the rollout gauges are labelled with
     * @param rollouts the model's newest rollout, read when scraped
     */
    public FleetMetrics(PrometheusRegistry registry, String model, Supplier<Optional<Rollout>> rollouts) {
        GaugeWithCallback.builder().name("flock_rollout_stage").help("Stage of the newest rollout, from 1 (0 = none)").labelNames("model")
                .callback(cb -> cb.call(rollouts.get().map(r -> r.stage() + 1.0).orElse(0.0), model)).register(registry);
        GaugeWithCallback.builder().name("flock_rollout_status")
                .help("Status of the newest rollout: 0 none, 1 running, 2 paused, 3 completed, 4 rolled back, 5 aborted").labelNames("model")
                .callback(cb -> cb.call(rollouts.get().map(r -> code(r.status())).orElse(0.0), model)).register(registry);
        psi = Gauge.builder().name("flock_drift_psi").help("PSI of a drift statistic in the last telemetry window against the reference")
                .labelNames("model", "statistic", "cohort").register(registry);
        alarms = Counter.builder().name("flock_drift_alarms").help("Drift alarms raised, by statistic and cohort")
                .labelNames("model", "statistic", "cohort").register(registry);
        triggers = Counter.builder().name("flock_retrain_triggers").help("Retraining triggers that fired, by reason")
                .labelNames("model", "reason").register(registry);
    }

    private static double code(RolloutStatus s) {
        return s.ordinal() + 1.0;
    }

    /** Records one statistic of a judged window. */
    public void drift(String model, String statistic, String cohort, double value, boolean alarm) {
        if (Double.isFinite(value)) {
            psi.labelValues(model, statistic, cohort).set(value);
        }
        if (alarm) {
            alarms.labelValues(model, statistic, cohort).inc();
        }
    }

    /** Counts a retraining trigger: schedule, performance or drift. */
    public void triggered(String model, String reason) {
        triggers.labelValues(model, reason).inc();
    }
}
