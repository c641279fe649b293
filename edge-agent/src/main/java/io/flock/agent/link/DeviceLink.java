package io.flock.agent.link;

/**
 * A device's MQTT presence: its task topic, the model's announcement and chunk topics, and its
 * retained online/offline status. Either a session of its own ({@link AgentMqttLink}) or a seat on a
 * connection shared by many devices ({@link MqttGateway}).
 */
public interface DeviceLink extends AutoCloseable {
    /**
     * Connects (or takes the seat), subscribes and announces "online"; idempotent.
     *
     * @throws io.flock.core.FlockException when the broker cannot be reached
     */
    void start();

    /** @return whether messages reach this device now */
    boolean isConnected();

    /** Leaves: publishes "offline" and stops delivery; idempotent. The link can be started again. */
    @Override
    void close();
}
