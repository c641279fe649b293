package io.flock.coordinator.store;

import java.util.List;

/**
 * The persisted state of a round.
 *
 * @param model       model name
 * @param round       round number, from 1
 * @param baseVersion version the devices train from
 * @param selected    devices that were sent a train task
 * @param status      OPEN, CLOSED or FAILED
 * @param openedMs    when it opened, Unix ms
 */
public record RoundRecord(String model, long round, long baseVersion, List<String> selected, String status, long openedMs) {
    /** Status of a round that still accepts updates. */
    public static final String OPEN = "OPEN";
    /** Status of a round that produced a new version. */
    public static final String CLOSED = "CLOSED";
    /** Status of a round that ended without enough results. */
    public static final String FAILED = "FAILED";
}
