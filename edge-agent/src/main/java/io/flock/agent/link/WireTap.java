package io.flock.agent.link;

/**
 * Sees every payload that crosses the device's transports, in both directions. Used for byte
 * accounting and for privacy tests. Implementations must be thread-safe and fast.
 */
public interface WireTap {
    /** Does nothing. */
    WireTap NONE = (channel, outbound, payload) -> { };

    /**
     * @param channel  "mqtt" or "grpc"
     * @param outbound true when the device sends it
     * @param payload  the serialized payload (do not modify)
     */
    void record(String channel, boolean outbound, byte[] payload);
}
