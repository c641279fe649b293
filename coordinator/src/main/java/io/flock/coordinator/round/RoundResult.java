package io.flock.coordinator.round;

/**
 * What one round did.
 *
 * @param round       round number, from 1
 * @param version     the version it produced, or the base version when it failed
 * @param accuracy    held-out accuracy of the new version (NaN when not evaluated)
 * @param loss        held-out loss (NaN when not evaluated)
 * @param seconds     wall time from opening to push
 * @param selected    devices sent a task
 * @param accepted    updates aggregated
 * @param failures    selected devices that sent no accepted update by the deadline
 * @param resumed     true when the round was opened before a restart and resumed
 * @param devices     the devices that were sent a task, sorted
 */
public record RoundResult(long round, long version, double accuracy, double loss, double seconds, int selected,
                          int accepted, int failures, boolean resumed, java.util.List<String> devices) {
}
