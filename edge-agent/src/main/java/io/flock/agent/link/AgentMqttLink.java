package io.flock.agent.link;

import io.flock.core.FlockException;
import io.flock.core.link.QosOnePublisher;
import io.flock.core.link.SessionKeeper;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's MQTT 5 session: persistent (clean start off, 1 h expiry) so tasks sent while it
 * blinks are delivered on reconnect; automatic reconnect with backoff; a retained "offline" last
 * will and a retained "online" status on every connect. Malformed messages are logged and dropped.
 * Outages are ridden out by a {@link SessionKeeper} on the caller's scheduler, which restores the
 * subscriptions and the "online" status once per outage.
 */
public final class AgentMqttLink implements DeviceLink {
    private static final Logger log = LoggerFactory.getLogger(AgentMqttLink.class);

    /** Receives decoded messages on Paho's callback thread: hand long work to another thread. */
    public interface Handler {
        /** A model announcement; {@code retained} when it predates this connection. */
        void onAnnouncement(ModelAnnouncement announcement, boolean retained);

        /** One artifact chunk. */
        void onChunk(ArtifactChunk chunk);

        /** A task addressed to this device. */
        void onTask(DeviceTask task);
    }

    private final String url;
    private final String deviceId;
    private final String model;
    private final Handler handler;
    private final WireTap tap;
    private final SessionKeeper keeper;
    private volatile MqttClient client;

    /**
     * @param url      broker URL
     * @param deviceId this device
     * @param model    model whose announcements and chunks to follow
     * @param handler  receives messages
     * @param tap       sees every payload
     * @param scheduler runs the reconnect watchdog
     */
    public AgentMqttLink(String url, String deviceId, String model, Handler handler, WireTap tap, ScheduledExecutorService scheduler) {
        this.url = url;
        this.deviceId = deviceId;
        this.model = model;
        this.handler = handler;
        this.tap = tap;
        this.keeper = new SessionKeeper(log, "device=" + deviceId, scheduler, this::onConnected);
    }

    /** Connects, subscribes and announces "online"; idempotent. */
    @Override
    public synchronized void start() {
        if (client != null) {
            return;
        }
        try {
            client = new MqttClient(url, "flock-agent-" + deviceId, new MemoryPersistence());
            client.setCallback(keeper.callback(this::messageArrived));
            client.connect(sessionOptions(Topics.status(deviceId)));
            onConnected();
            keeper.watch(client);
        } catch (MqttException | FlockException e) {
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // the client never connected; nothing to release beyond its threads
            }
            client = null;
            throw new FlockException("device " + deviceId + " cannot connect to MQTT broker " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * Options of every Flock device session: persistent (clean start off, 1 h expiry) so messages
     * sent while it blinks are delivered on reconnect, automatic reconnect with backoff, and a
     * retained "offline" last will on {@code willTopic}.
     */
    static MqttConnectionOptions sessionOptions(String willTopic) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 15);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(30);
        o.setWill(willTopic, new MqttMessage(Topics.OFFLINE.getBytes(StandardCharsets.UTF_8), 1, true, new MqttProperties()));
        return o;
    }

    private void onConnected() throws MqttException {
        client.subscribe(new String[] {Topics.tasks(deviceId), Topics.announcement(model), Topics.chunks(model)}, new int[] {1, 1, 1});
        publishStatus(Topics.ONLINE);
    }

    private void publishStatus(String status) {
        byte[] payload = status.getBytes(StandardCharsets.UTF_8);
        tap.record("mqtt", true, payload);
        QosOnePublisher.publish(client, Topics.status(deviceId), payload, true);
    }

    /** @return whether the session is connected now */
    @Override
    public boolean isConnected() {
        MqttClient c = client;
        return c != null && c.isConnected();
    }

    /** Leaves cleanly: publishes "offline", then disconnects. Idempotent. */
    @Override
    public synchronized void close() {
        if (client == null) {
            return;
        }
        keeper.stop();
        try {
            if (client.isConnected()) {
                publishStatus(Topics.OFFLINE);
                client.disconnect(2000);
            }
            client.close(true);
        } catch (MqttException | FlockException e) {
            log.debug("device={} MQTT close: {}", deviceId, e.toString());
        } finally {
            client = null;
        }
    }

    private void messageArrived(String topic, MqttMessage message) {
        byte[] payload = message.getPayload();
        tap.record("mqtt", false, payload);
        try {
            if (topic.equals(Topics.chunks(model))) {
                handler.onChunk(ArtifactChunk.parseFrom(payload));
            } else if (topic.equals(Topics.announcement(model))) {
                handler.onAnnouncement(ModelAnnouncement.parseFrom(payload), message.isRetained());
            } else if (topic.equals(Topics.tasks(deviceId))) {
                handler.onTask(DeviceTask.parseFrom(payload));
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            log.warn("device={} dropped malformed message on {}: {}", deviceId, topic, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("device={} failed to handle message on {}: {}", deviceId, topic, e.toString());
        }
    }
}
