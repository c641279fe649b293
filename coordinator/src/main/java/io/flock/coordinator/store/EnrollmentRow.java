package io.flock.coordinator.store;

/**
 * One enrollment, stored in one transaction: a use of the token is spent, the device is recorded as enrolled, and its
 * certificate (none for a device enrolled behind a gateway, which acts for it) is recorded as current.
 *
 * @param deviceId    the enrolled device
 * @param hardware    what it says it is
 * @param gateway     the gateway it is enrolled behind, null when it connects itself
 * @param tokenSha256 SHA-256 (hex) of the enrollment token it presented
 * @param fingerprint SHA-256 (hex) of the certificate issued to it, null behind a gateway
 * @param notAfterMs  end of that certificate's validity, 0 behind a gateway
 * @param nowMs       when
 */
public record EnrollmentRow(String deviceId, String hardware, String gateway, String tokenSha256, String fingerprint, long notAfterMs,
                            long nowMs) {
}
