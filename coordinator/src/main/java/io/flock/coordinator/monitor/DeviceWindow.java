package io.flock.coordinator.monitor;

import io.flock.core.stats.DriftSketch;

/**
 * One device's telemetry window, checked and turned into counts for the window alone (devices report answer totals
 * since they started; this holds the difference from their previous report).
 *
 * @param deviceId        reporter
 * @param runningVersion  the version it ran
 * @param receivedMs      when it arrived, Unix ms
 * @param answers         answers it gave in the window (local, offloaded and fallback; batch answers excluded)
 * @param offloaded       of those, offloaded (fallbacks included: they were offloaded and came back late)
 * @param local           of those, answered on the device
 * @param problems        errors and rejections in the window
 * @param meanLatencyMs   mean local answer latency in the window
 * @param statistics      its drift statistics, null when it reported none or with other bins than the coordinator's
 */
public record DeviceWindow(String deviceId, long runningVersion, long receivedMs, long answers, long offloaded, long local, long problems,
                           double meanLatencyMs, DriftSketch statistics) {

    /** @return answers whose confidence it counted (0 without statistics) */
    public long confidenceCount() {
        return statistics == null ? 0 : statistics.count();
    }

    /** @return the sum of those answers' confidences */
    public double confidenceSum() {
        return statistics == null ? 0 : statistics.confidenceSum();
    }

    /** @return feedback labels reported in the window */
    public long feedback() {
        return statistics == null ? 0 : statistics.feedbackCount();
    }

    /** @return of those, answers that were wrong */
    public long feedbackErrors() {
        return statistics == null ? 0 : statistics.feedbackErrors();
    }
}
