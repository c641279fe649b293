package io.flock.coordinator.metrics;

import java.util.Arrays;

/**
 * The coordinator's newest answered predictions, in a ring of fixed size: their rate over the last minute and the 99th
 * percentile of their latency, for the dashboard (Prometheus keeps the histogram; this reads without a scrape).
 * Thread-safe.
 */
public final class RecentAnswers {
    private static final long MINUTE_NANOS = 60_000_000_000L;
    private final long[] at;
    private final double[] seconds;
    private int next;
    private long total;

    /** @param capacity answers kept, the newest */
    public RecentAnswers(int capacity) {
        at = new long[capacity];
        seconds = new double[capacity];
    }

    /** Records one answer that took {@code latencySeconds}. */
    public synchronized void add(double latencySeconds) {
        at[next] = System.nanoTime();
        seconds[next] = latencySeconds;
        next = (next + 1) % at.length;
        total++;
    }

    /**
     * What the last minute's answers came to.
     *
     * @param qps   answers per second over the last minute (over the ring's span when it holds less than a minute)
     * @param p99Ms their latency's 99th percentile, ms; NaN without answers
     * @param total answers recorded since start
     */
    public record Summary(double qps, double p99Ms, long total) {
    }

    /** @return the last minute's summary */
    public synchronized Summary summary() {
        long now = System.nanoTime();
        int n = (int) Math.min(total, at.length);
        double[] recent = new double[n];
        int k = 0;
        long oldest = now;
        for (int i = 0; i < n; i++) {
            if (now - at[i] <= MINUTE_NANOS) {
                recent[k++] = seconds[i];
                oldest = Math.min(oldest, at[i]);
            }
        }
        if (k == 0) {
            return new Summary(0, Double.NaN, total);
        }
        Arrays.sort(recent, 0, k);
        double span = k == at.length ? Math.max(1e-3, (now - oldest) / 1e9) : 60.0;
        return new Summary(k / span, 1000 * recent[Math.min(k - 1, (int) Math.ceil(0.99 * k) - 1)], total);
    }
}
