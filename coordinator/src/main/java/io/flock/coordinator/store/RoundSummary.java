package io.flock.coordinator.store;

/**
 * A round as the dashboard lists it.
 *
 * @param round     round number
 * @param status    OPEN, CLOSED or FAILED
 * @param openedMs  when it opened, Unix ms
 * @param selected  devices sent a task
 * @param accepted  updates aggregated (0 while open)
 * @param version   the version it produced, 0 when none
 * @param accuracy  that version's held-out accuracy, NaN when not scored
 * @param createdMs when that version was stored, Unix ms (0 when none)
 */
public record RoundSummary(long round, String status, long openedMs, int selected, int accepted, long version, double accuracy,
                           long createdMs) {
}
