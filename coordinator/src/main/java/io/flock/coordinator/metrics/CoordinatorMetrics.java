package io.flock.coordinator.metrics;

import io.flock.coordinator.fleet.UnknownDeviceException;
import io.flock.coordinator.intake.IntakeBusyException;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.serving.BatchingQueue;
import io.flock.coordinator.serving.ResponseCache;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The coordinator's Prometheus metrics, in a registry of its own (several coordinators may share a JVM in
 * tests and simulations). Names follow Prometheus conventions: {@code flock_} prefix, base units,
 * {@code _total} for counters. Gauges read their values when scraped. Thread-safe.
 */
public final class CoordinatorMetrics implements IntakeEvents {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RecentAnswers recent = new RecentAnswers(8192);
    private final Counter rounds = Counter.builder().name("flock_rounds_total")
            .help("Federated rounds finished, by outcome (closed: a new version; failed: no accepted update)")
            .labelNames("model", "outcome").register(registry);
    private final Histogram roundSeconds = Histogram.builder().name("flock_round_duration_seconds")
            .help("Wall time of a round from opening to publication").labelNames("model")
            .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300).register(registry);
    private final Gauge roundAccuracy = Gauge.builder().name("flock_round_accuracy")
            .help("Held-out accuracy (0 to 1) of the version the newest scored round produced").labelNames("model").register(registry);
    private final Gauge epsilon = Gauge.builder().name("flock_privacy_epsilon")
            .help("Differential privacy spent by the model's training so far: epsilon at flock_privacy_delta (RDP accountant)")
            .labelNames("model").register(registry);
    private final Gauge delta = Gauge.builder().name("flock_privacy_delta")
            .help("The delta flock_privacy_epsilon is reported at").labelNames("model").register(registry);
    private final Counter accepted = Counter.builder().name("flock_updates_accepted_total")
            .help("Device updates persisted and aggregated").labelNames("model").register(registry);
    private final Counter rejected = Counter.builder().name("flock_updates_rejected_total")
            .help("Device updates refused, by reason").labelNames("reason").register(registry);
    private final Counter taskRejections = Counter.builder().name("flock_task_rejections_total")
            .help("Train tasks devices refused").labelNames("model").register(registry);
    private final Counter predictions = Counter.builder().name("flock_predictions_served_total")
            .help("Offloaded predictions answered by the coordinator").labelNames("model").register(registry);
    private final Histogram predictionSeconds = Histogram.builder().name("flock_prediction_latency_seconds")
            .help("Time to answer an offloaded prediction").labelNames("model")
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1).register(registry);
    private final Counter telemetry = Counter.builder().name("flock_telemetry_reports_total")
            .help("Telemetry windows devices reported and the coordinator stored").register(registry);

    /**
     * @param devicesOnline registered devices online now
     * @param stageCounts   versions per model and stage: model -> (stage -> count)
     * @param databaseBytes the database's size on disk
     */
    public CoordinatorMetrics(Supplier<Integer> devicesOnline, Supplier<Map<String, Map<String, Long>>> stageCounts,
                              Supplier<Long> databaseBytes) {
        GaugeWithCallback.builder().name("flock_database_bytes").help("Size of the coordinator's database on disk")
                .callback(cb -> cb.call(databaseBytes.get())).register(registry);
        GaugeWithCallback.builder().name("flock_devices_online").help("Registered devices online on MQTT now")
                .callback(cb -> cb.call(devicesOnline.get())).register(registry);
        GaugeWithCallback.builder().name("flock_model_versions").help("Stored model versions, by stage")
                .labelNames("model", "stage")
                .callback(cb -> stageCounts.get().forEach((model, stages) -> stages.forEach((stage, n) ->
                        cb.call(n, model, stage.toLowerCase(Locale.ROOT)))))
                .register(registry);
    }

    /** Starts the model's counters at zero, so a scrape shows every series before its first event. */
    public CoordinatorMetrics model(String model) {
        rounds.initLabelValues(model, "closed");
        rounds.initLabelValues(model, "failed");
        accepted.initLabelValues(model);
        taskRejections.initLabelValues(model);
        predictions.initLabelValues(model);
        return this;
    }

    /** Exposes the serving queue's and cache's counters: batches, rows, refusals, expiries, cache hits and misses. */
    public CoordinatorMetrics serving(BatchingQueue<?, ?> queue, ResponseCache cache) {
        CounterWithCallback.builder().name("flock_serving_batches_total").help("Forward passes run by the serving workers")
                .callback(cb -> cb.call(queue.batches())).register(registry);
        CounterWithCallback.builder().name("flock_serving_rows_total").help("Predictions computed in those batches")
                .callback(cb -> cb.call(queue.rows())).register(registry);
        CounterWithCallback.builder().name("flock_serving_refused_total").help("Predictions refused at once: the queue was full")
                .callback(cb -> cb.call(queue.refused())).register(registry);
        CounterWithCallback.builder().name("flock_serving_expired_total").help("Predictions dropped: their deadline passed in the queue")
                .callback(cb -> cb.call(queue.expired())).register(registry);
        GaugeWithCallback.builder().name("flock_serving_queue_waiting").help("Predictions waiting for a batch now")
                .callback(cb -> cb.call(queue.waiting())).register(registry);
        CounterWithCallback.builder().name("flock_serving_cache_lookups_total").help("Response cache lookups, by result")
                .labelNames("result").callback(cb -> {
                    cb.call(cache.hits(), "hit");
                    cb.call(cache.misses(), "miss");
                }).register(registry);
        return this;
    }

    /** Exposes how many device status messages were ignored as invalid (neither "online" nor "offline"). */
    public CoordinatorMetrics statusMessages(LongSupplier invalid) {
        CounterWithCallback.builder().name("flock_status_messages_invalid_total")
                .help("Device status messages on MQTT ignored: payload neither online nor offline, or no device id in the topic")
                .callback(cb -> cb.call(invalid.getAsLong())).register(registry);
        return this;
    }

    /** @return the newest answered predictions' rate and latency */
    public RecentAnswers.Summary recentServing() {
        return recent.summary();
    }

    /** @return the registry to expose */
    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Counts a finished round and its duration; once its version is scored (in the background, rounds in order), sets
     * {@code flock_round_accuracy}. A failed round or one whose version is not scored leaves the gauge as it was.
     */
    public void roundFinished(String model, RoundResult r) {
        rounds.labelValues(model, r.accepted() > 0 ? "closed" : "failed").inc();
        roundSeconds.labelValues(model).observe(r.seconds());
        if (Double.isFinite(r.epsilon())) {
            epsilon.labelValues(model).set(r.epsilon());
        }
        if (r.accepted() > 0 && r.scores() != null) {
            r.scores().thenAccept(e -> {
                if (e != null && Double.isFinite(e.accuracy())) {
                    roundAccuracy.labelValues(model).set(e.accuracy());
                }
            });
        }
    }

    /** Sets the privacy spent so far (at start-up, from the ledger; after each noised round, from its result). */
    public void privacySpent(String model, double eps, double d) {
        epsilon.labelValues(model).set(eps);
        delta.labelValues(model).set(d);
    }

    /** Counts an answered offloaded prediction. */
    public void predictionServed(String model, double seconds) {
        recent.add(seconds);
        predictions.labelValues(model).inc();
        predictionSeconds.labelValues(model).observe(seconds);
    }

    /** Counts a stored telemetry window. */
    public void telemetryReceived() {
        telemetry.inc();
    }

    /** Counts a train task a device refused. */
    public void taskRejected(String model) {
        taskRejections.labelValues(model).inc();
    }

    @Override
    public void accepted(String model) {
        accepted.labelValues(model).inc();
    }

    @Override
    public void rejected(RuntimeException reason) {
        rejected.labelValues(REASONS.apply(reason)).inc();
    }

    /** The reason label of a refused update: one per kind of error the intake raises. */
    static final Function<RuntimeException, String> REASONS = e -> {
        if (e instanceof RoundClosedException r) {
            return r.reason();
        } else if (e instanceof CapacityExceededException) {
            return "oversized";
        } else if (e instanceof InvalidInputException) {
            return "invalid";
        } else if (e instanceof UnknownDeviceException) {
            return "unknown_device";
        } else if (e instanceof ModelNotFoundException) {
            return "unknown_model";
        } else if (e instanceof UpdateConflictException) {
            return "second_update";
        } else if (e instanceof IntakeBusyException) {
            return "busy";
        }
        return "internal";
    };
}
