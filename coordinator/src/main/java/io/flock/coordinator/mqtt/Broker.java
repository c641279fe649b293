package io.flock.coordinator.mqtt;

/**
 * The MQTT 5 broker the coordinator and agents meet at: the embedded HiveMQ CE broker by default,
 * or an external one (Mosquitto, EMQX, HiveMQ). {@link #start()} and {@link #close()} are idempotent.
 */
public interface Broker extends AutoCloseable {
    /** Starts the broker if this object owns one; returns once it accepts connections. */
    void start();

    /** @return the URL clients connect to, e.g. tcp://127.0.0.1:1883 */
    String url();

    /**
     * Ends the live MQTT sessions of a device that was just revoked, at once. The embedded broker disconnects them
     * (and refuses the device's reconnects through its device directory). External brokers: revocation takes effect
     * through short-lived certificates and the CRL, so this default does nothing.
     *
     * @param deviceId the revoked device
     */
    default void evict(String deviceId) {
    }

    /** Stops an owned broker; an external broker is left running. */
    @Override
    void close();

    /** @return a broker someone else runs, at the given URL */
    static Broker external(String url) {
        return new Broker() {
            @Override
            public void start() {
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public void close() {
            }
        };
    }
}
