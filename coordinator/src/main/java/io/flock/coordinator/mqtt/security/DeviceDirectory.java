package io.flock.coordinator.mqtt.security;

/**
 * What the broker asks the coordinator's device records while it admits and authorizes clients. Both questions are
 * asked on the broker's extension threads, never on its network threads, and may block briefly (a database read);
 * an answer that takes longer than the broker's decision timeout counts as "no". Implementations must be
 * thread-safe. Device ids are valid topic segments ({@link io.flock.core.link.Topics#segment}).
 */
public interface DeviceDirectory {
    /**
     * Asked once per connection attempt, after the TLS handshake proved the certificate chains to the Flock CA and is
     * within its validity.
     *
     * @param deviceId    the device the client certificate names
     * @param fingerprint the certificate's lower-case hex SHA-256 ({@link io.flock.core.identity.TlsCredentials#fingerprint})
     * @return whether the device is enrolled, not revoked, and this certificate is its current one
     */
    boolean admits(String deviceId, String fingerprint);

    /**
     * Asked when a client publishes another device's status or subscribes to its tasks: the gateway case.
     *
     * @param gatewayId the authenticated device acting as a gateway
     * @param deviceId  the device it acts for (never equal to {@code gatewayId})
     * @return whether {@code deviceId} is enrolled behind {@code gatewayId}
     */
    boolean behind(String gatewayId, String deviceId);
}
