package io.flock.agent.metrics;

import io.flock.agent.offload.Answer;
import io.flock.core.DaemonThreads;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * One agent's Prometheus metrics, in a registry of its own: never the process-wide default, since a
 * simulator runs hundreds of agents in one JVM. What the agent counts anyway (answers by source,
 * rejections, uploads) is read by callbacks at scrape time, so the hot path gains no work; only the
 * answer latency histogram is recorded as answers go out. {@link #serve} opens {@code /metrics} on
 * 127.0.0.1. Thread-safe; {@link #close()} is idempotent.
 */
public final class AgentMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AnswerLatency latency = new AnswerLatency(registry);
    private HTTPServer server;

    /**
     * Where the callbacks read. Each is called on the scraping thread and must be cheap and thread-safe.
     *
     * @param predictions        answers given so far by source
     * @param modelVersion       version served now, 0 when none
     * @param artifactRejections artifacts refused so far
     * @param taskRejections     train tasks refused so far
     * @param updatesUploaded    updates the coordinator acknowledged so far
     * @param outboxPending      updates waiting for delivery now
     * @param distilledTasks     train tasks trained with a teacher's soft targets so far
     */
    public record Readings(ToLongFunction<Answer.Source> predictions, LongSupplier modelVersion, LongSupplier artifactRejections,
                           LongSupplier taskRejections, LongSupplier updatesUploaded, LongSupplier outboxPending,
                           LongSupplier distilledTasks) {
    }

    /** Registers every metric; nothing listens until {@link #serve}. */
    public AgentMetrics(Readings r) {
        CounterWithCallback.builder().name("flock_agent_predictions_total").help("Predictions answered, by who answered")
                .labelNames("source").callback(cb -> {
                    for (Answer.Source s : Answer.Source.values()) {
                        cb.call(r.predictions().applyAsLong(s), s.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("flock_agent_model_version").help("Model version served now, 0 before the first load")
                .callback(cb -> cb.call(r.modelVersion().getAsLong())).register(registry);
        CounterWithCallback.builder().name("flock_agent_rejections_total").help("Artifacts and train tasks refused, by kind")
                .labelNames("kind").callback(cb -> {
                    cb.call(r.artifactRejections().getAsLong(), "artifact");
                    cb.call(r.taskRejections().getAsLong(), "task");
                }).register(registry);
        CounterWithCallback.builder().name("flock_agent_updates_uploaded_total").help("Updates delivered to the coordinator")
                .callback(cb -> cb.call(r.updatesUploaded().getAsLong())).register(registry);
        CounterWithCallback.builder().name("flock_agent_distilled_tasks_total").help("Train tasks trained with a teacher's soft"
                + " targets, computed on this device").callback(cb -> cb.call(r.distilledTasks().getAsLong())).register(registry);
        GaugeWithCallback.builder().name("flock_agent_outbox_pending").help("Updates on disk waiting for delivery")
                .callback(cb -> cb.call(r.outboxPending().getAsLong())).register(registry);
    }

    /** @return the local API's answer latency, recorded by the API and read by telemetry */
    public AnswerLatency latency() {
        return latency;
    }

    /** @return this agent's registry (for tests and embedding) */
    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Serves {@code http://127.0.0.1:PORT/metrics} on one daemon thread; idempotent.
     *
     * @param port     0 = any free port
     * @param deviceId names the thread
     * @return the port it listens on
     */
    public synchronized int serve(int port, String deviceId) throws IOException {
        if (server == null) {
            server = HTTPServer.builder().hostname("127.0.0.1").port(port).registry(registry)
                    .executorService(Executors.newSingleThreadExecutor(DaemonThreads.named("flock-metrics-" + deviceId)))
                    .buildAndStart();
        }
        return server.getPort();
    }

    /** @return the port {@code /metrics} listens on, -1 when not serving */
    public synchronized int port() {
        return server == null ? -1 : server.getPort();
    }

    /** Stops serving; the metrics stay readable through {@link #registry()}. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
