package io.flock.agent.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * How long the local prediction API takes to answer, as the histogram
 * {@code flock_agent_prediction_latency_seconds}; telemetry's window mean reads the same
 * measurement through {@link #totals()}. Thread-safe; {@link #record} is lock-free.
 */
public final class AnswerLatency {
    /** Upper bounds in seconds: 0.5 ms (a warm MLP answer) to 2.5 s (a slow offload). */
    private static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private final Histogram histogram;

    /** Answers counted so far and their summed latency; compare two to get a window's mean. */
    public record Totals(long count, double sumSeconds) {
        /** Nothing yet. */
        public static final Totals ZERO = new Totals(0, 0);

        /** @return the mean latency in ms of the answers between {@code earlier} and this, 0 when none */
        public double meanMillisSince(Totals earlier) {
            long n = count - earlier.count;
            return n <= 0 ? 0 : (sumSeconds - earlier.sumSeconds) * 1000 / n;
        }
    }

    AnswerLatency(PrometheusRegistry registry) {
        histogram = Histogram.builder().name("flock_agent_prediction_latency_seconds").unit(Unit.SECONDS)
                .help("Latency of the local prediction API's answers (local, offloaded or fallback)")
                .classicOnly().classicUpperBounds(BOUNDS).withoutExemplars().register(registry);
    }

    /** @param millis one answer's latency in ms, as the app is told it */
    public void record(double millis) {
        histogram.observe(millis / 1000);
    }

    /** @return the answers recorded so far */
    public Totals totals() {
        HistogramSnapshot s = histogram.collect();
        if (s.getDataPoints().isEmpty()) {
            return Totals.ZERO;
        }
        var p = s.getDataPoints().get(0);
        return new Totals(p.getCount(), p.getSum());
    }
}
