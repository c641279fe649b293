package io.flock.simulator.report;

import java.util.Arrays;

/**
 * Median, min and max of measured samples, the way every Flock report states a number.
 *
 * @param median middle value (mean of the two middle values for an even count); NaN when empty
 * @param min    smallest value; NaN when empty
 * @param max    largest value; NaN when empty
 */
public record SampleStats(double median, double min, double max) {
    /** @return the statistics of {@code values} (not modified) */
    public static SampleStats of(double[] values) {
        if (values.length == 0) {
            return new SampleStats(Double.NaN, Double.NaN, Double.NaN);
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return new SampleStats((s[(n - 1) / 2] + s[n / 2]) / 2, s[0], s[n - 1]);
    }

    /** @return the nearest-rank {@code q} quantile of ascending {@code sorted} values; NaN when empty */
    public static double percentile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }
}
