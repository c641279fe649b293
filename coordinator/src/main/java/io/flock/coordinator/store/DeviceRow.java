package io.flock.coordinator.store;

/**
 * A registered device as the fleet view needs it.
 *
 * @param deviceId       its id
 * @param hardware       the hardware label it registered with ("" when none)
 * @param runningVersion the version it last reported running, 0 = none
 * @param lastSeenMs     when it last registered, Unix ms
 */
public record DeviceRow(String deviceId, String hardware, long runningVersion, long lastSeenMs) {
}
