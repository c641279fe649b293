package io.flock.coordinator.rollout;

import io.flock.coordinator.monitor.DeviceWindow;
import java.util.HashSet;
import java.util.Set;

/** One cohort's telemetry over one health window, summed over its devices. Not thread-safe. */
final class CohortHealth {
    private final Set<String> devices = new HashSet<>();
    private long answers;
    private long offloaded;
    private long problems;
    private long local;
    private double latencySum;
    private long confidenceCount;
    private double confidenceSum;
    private long feedback;
    private long feedbackErrors;
    private final long[] confidenceBins = new long[io.flock.core.stats.DriftSketch.CONFIDENCE_BINS];

    void add(DeviceWindow w) {
        devices.add(w.deviceId());
        answers += w.answers();
        offloaded += w.offloaded();
        problems += w.problems();
        local += w.local();
        latencySum += w.meanLatencyMs() * w.local();
        confidenceCount += w.confidenceCount();
        confidenceSum += w.confidenceSum();
        feedback += w.feedback();
        feedbackErrors += w.feedbackErrors();
        if (w.statistics() != null) {
            long[] c = w.statistics().confidenceCounts();
            for (int b = 0; b < c.length; b++) {
                confidenceBins[b] += c[b];
            }
        }
    }

    /** @return the variance of the confidences, from their histogram (each bin at its middle); NaN without any */
    double confidenceVariance() {
        long n = 0;
        double sum = 0;
        double squares = 0;
        for (int b = 0; b < confidenceBins.length; b++) {
            double mid = (b + 0.5) / confidenceBins.length;
            n += confidenceBins[b];
            sum += mid * confidenceBins[b];
            squares += mid * mid * confidenceBins[b];
        }
        return n < 2 ? Double.NaN : Math.max(0, (squares - sum * sum / n) / (n - 1));
    }

    long feedbackCount() {
        return feedback;
    }

    int devices() {
        return devices.size();
    }

    long answers() {
        return answers;
    }

    long feedback() {
        return feedback;
    }

    long confidenceCount() {
        return confidenceCount;
    }

    long local() {
        return local;
    }

    /** @return errors and rejections per answer (per report when it answered none) */
    double errorRate() {
        return problems / (double) Math.max(1, answers);
    }

    double offloadRate() {
        return answers == 0 ? Double.NaN : offloaded / (double) answers;
    }

    double meanConfidence() {
        return confidenceCount == 0 ? Double.NaN : confidenceSum / confidenceCount;
    }

    double meanLatencyMs() {
        return local == 0 ? Double.NaN : latencySum / local;
    }

    double feedbackAccuracy() {
        return feedback == 0 ? Double.NaN : 1 - feedbackErrors / (double) feedback;
    }
}
