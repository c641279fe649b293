package io.flock.coordinator.store;

/**
 * What the store knows of a device's identity.
 *
 * @param deviceId the device
 * @param enrolled whether it enrolled (a device that registered in insecure mode has not)
 * @param gateway  the gateway it is enrolled behind, null when none
 * @param revoked  whether an operator revoked it
 */
public record DeviceIdentityRow(String deviceId, boolean enrolled, String gateway, boolean revoked) {
}
