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
