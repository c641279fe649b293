package io.flock.coordinator.store;

/**
 * One device's share of a gateway's pre-aggregated update, persisted with it in the same transaction: a restart re-folds
 * the gateway's update with its contributor count and marks these devices answered.
 *
 * @param model       model name
 * @param round       round number, from 1
 * @param deviceId    the device behind the gateway (at most one row per model, round and device)
 * @param gatewayId   the gateway that uploaded the aggregate
 * @param taskId      the task the device answered
 * @param numExamples the device's weight, > 0
 */
public record StoredContribution(String model, long round, String deviceId, String gatewayId, String taskId, long numExamples) {
}
