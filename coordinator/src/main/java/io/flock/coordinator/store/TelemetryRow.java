package io.flock.coordinator.store;

/**
 * One telemetry window a device reported, as stored.
 *
 * @param deviceId       reporter
 * @param model          model it runs
 * @param receivedMs     when the coordinator received it, Unix ms (retention counts from here)
 * @param runningVersion version it runs, 0 = none
 * @param local          predictions answered on the device
 * @param offloaded      predictions answered by the coordinator
 * @param fallback       offloads that fell back to the local answer
 * @param meanLatencyMs  mean local answer latency
 * @param p99LatencyMs   99th percentile of it
 * @param errors         errors in the window
 * @param rejections     artifacts and tasks refused in the window
 */
public record TelemetryRow(String deviceId, String model, long receivedMs, long runningVersion, long local, long offloaded,
                           long fallback, double meanLatencyMs, double p99LatencyMs, long errors, long rejections) {
}
