package io.flock.coordinator.intake;

/**
 * One device's share of a gateway's pre-aggregated update, as the gateway claims it.
 *
 * @param deviceId    the device behind the gateway
 * @param taskId      the task of the round it answered
 * @param numExamples its weight in the gateway's mean, must be > 0
 */
public record Contribution(String deviceId, String taskId, long numExamples) {
}
