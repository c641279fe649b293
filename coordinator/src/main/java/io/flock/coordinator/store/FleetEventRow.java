package io.flock.coordinator.store;

/**
 * One stored fleet event: a rollout step, a gate decision, a drift alarm or a retraining trigger, with its reason.
 *
 * @param model  model it concerns
 * @param kind   rollout, gate, rollback, drift, trigger
 * @param atMs   when, Unix ms
 * @param detail what happened and why
 */
public record FleetEventRow(String model, String kind, long atMs, String detail) {
}
