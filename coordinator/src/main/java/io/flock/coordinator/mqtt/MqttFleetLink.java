package io.flock.coordinator.mqtt;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.core.DaemonThreads;
import io.flock.core.FlockException;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import io.flock.link.mqtt.QosOnePublisher;
import io.flock.link.mqtt.SessionKeeper;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.SignedDeviceTask;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's MQTT 5 connection: pushes announcements (retained) and artifact chunks, sends
 * per-device tasks (QoS 1) and follows device status topics into the {@link DeviceRegistry}.
 * Reconnects with backoff (Paho's, plus a watchdog calling {@code reconnect()} every 2 s, because
 * Paho does not always reconnect after a server-sent DISCONNECT) and, once per outage, re-subscribes
 * and re-publishes the current announcement (a restarted in-memory broker has lost it) and the tasks that
 * could not be sent while it was down. Thread-safe.
 */
public final class MqttFleetLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttFleetLink.class);
    private final String url;
    private final TlsCredentials tls;
    private final StatusMessages statuses;
    private final AtomicReference<ModelAnnouncement> lastAnnouncement = new AtomicReference<>();
    private final Map<String, HeldTask> heldTasks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flock-mqtt-watchdog"));
    private final SessionKeeper keeper = new SessionKeeper(log, "coordinator", watchdog, this::restore);
    private volatile MqttClient client;

    /**
     * @param url     broker URL
     * @param devices receives status changes (payloads other than "online"/"offline" are ignored and counted)
     */
    public MqttFleetLink(String url, DeviceRegistry devices) {
        this(url, devices, null);
    }

    /**
     * @param tls the coordinator's certificate and the CA, for an {@code ssl://} broker that authenticates clients; null
     *            for a plaintext broker
     */
    public MqttFleetLink(String url, DeviceRegistry devices, TlsCredentials tls) {
        this.tls = tls;
        this.url = url;
        this.statuses = new StatusMessages(devices);
    }

    /** Connects and subscribes; idempotent. */
    public synchronized void start() {
        if (client != null) {
            return;
        }
        try {
            client = new MqttClient(url, "flock-coordinator-" + Long.toHexString(System.nanoTime()), new MemoryPersistence());
            client.setCallback(keeper.callback(this::messageArrived));
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setAutomaticReconnect(true);
            o.setAutomaticReconnectDelay(1, 10);
            o.setConnectionTimeout(10);
            o.setKeepAliveInterval(30);
            if (tls != null && url.startsWith("ssl://")) {
                o.setSocketFactory(tls.sslContext().getSocketFactory());
            }
            client.connect(o);
            subscribe();
            keeper.watch(client);
            log.info("coordinator connected to MQTT broker url={}", url);
        } catch (MqttException e) {
            client = null;
            throw new FlockException("cannot connect to MQTT broker " + url + ": " + e.getMessage(), e);
        }
    }

    /** After an outage: a restarted in-memory broker has lost the subscription and the retained announcement. */
    private void restore() throws MqttException {
        subscribe();
        ModelAnnouncement a = lastAnnouncement.get();
        if (a != null) {
            announce(a);
        }
        sendHeldTasks();
    }

    /**
     * Sends the tasks held during an outage, retained: a device that resubscribes after this still gets its task
     * (its agent ignores it once the deadline passed, and one it already has by task id). Expired tasks are dropped.
     */
    private void sendHeldTasks() {
        int sent = 0;
        for (var e : heldTasks.entrySet()) {
            HeldTask task = e.getValue();
            if (task.deadlineUnixMs() > System.currentTimeMillis()) {
                QosOnePublisher.publish(client, Topics.tasks(e.getKey()), task.task().toByteArray(), true);
                sent++;
            }
            heldTasks.remove(e.getKey(), task);
        }
        if (sent > 0) {
            log.info("sent {} tasks held during the broker outage", sent);
        }
    }

    private void subscribe() throws MqttException {
        client.subscribe(Topics.allStatuses(), 1);
    }

    /** Publishes the announcement retained, so devices that connect later still learn it. */
    public void announce(ModelAnnouncement announcement) {
        lastAnnouncement.set(announcement);
        publish(Topics.announcement(announcement.getModel()), announcement.toByteArray(), true);
    }

    /**
     * Pushes a version: its chunks (if any), then its retained announcement. The announcement becomes the one
     * {@link #restore} re-publishes before anything is sent, so a broker outage in the middle of a push ends with
     * the newest version announced once the broker is back (devices then fetch what they miss over gRPC), never
     * the previous one.
     *
     * @throws FlockException when the broker stays unreachable; the announcement still goes out on reconnect
     */
    public void push(ModelAnnouncement announcement, List<ArtifactChunk> chunks) {
        lastAnnouncement.set(announcement);
        publishChunks(announcement.getModel(), chunks);
        announce(announcement);
    }

    /**
     * Publishes the artifact's chunks, in order, at QoS 1. One at a time: Paho gives a topic an alias
     * on its first publish, and concurrent publishes to one topic raced that alias onto the wire before
     * the publish that defines it (HiveMQ then disconnects with "Topic alias in PUBLISH could not be
     * mapped").
     */
    public void publishChunks(String model, List<ArtifactChunk> chunks) {
        for (ArtifactChunk c : chunks) {
            publish(Topics.chunks(model), c.toByteArray(), false);
        }
    }

    /**
     * Sends a task to one device's task topic at QoS 1, retained: a device (or a gateway) that subscribes only after the
     * task went out, because its session was lost with a restarted broker and it reconnects later than the coordinator,
     * still gets it (ScenarioIT's gateway run lost two of eight tasks that way). A device ignores a task it answered or
     * whose deadline passed, so a retained old task costs nothing. While the broker is unreachable the task is held
     * (the newest per device) and sent when the session is restored, so an outage delays a round instead of emptying
     * it. It never waits for a reconnect: a round's tasks go out in one pass either way.
     */
    public void sendTask(String deviceId, SignedDeviceTask task, long deadlineUnixMs) {
        if (isConnected()) {
            try {
                QosOnePublisher.publish(client, Topics.tasks(deviceId), task.toByteArray(), true);
                return;
            } catch (FlockException e) {
                log.debug("task for device={} held: {}", deviceId, e.getMessage());
            }
        }
        heldTasks.put(deviceId, new HeldTask(task, deadlineUnixMs));
        if (isConnected()) { // the session came back (and was restored) while this task was being held
            try {
                sendHeldTasks();
            } catch (FlockException e) {
                log.debug("held tasks wait for the next reconnect: {}", e.getMessage());
            }
        }
    }

    private void publish(String topic, byte[] payload, boolean retained) {
        awaitConnected();
        QosOnePublisher.publish(client, topic, payload, retained);
    }

    /** @return whether the broker connection is up now */
    public boolean isConnected() {
        MqttClient c = client;
        return c != null && c.isConnected();
    }

    /** Rides out a broker blip: waits up to 15 s for the automatic reconnect before a publish fails. */
    private void awaitConnected() {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!isConnected() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (client == null) {
            return;
        }
        keeper.stop();
        watchdog.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(2000);
            }
            client.close(true);
        } catch (MqttException e) {
            log.debug("MQTT close: {}", e.toString());
        } finally {
            client = null;
        }
    }

    private void messageArrived(String topic, MqttMessage message) {
        statuses.arrived(topic, message.getPayload());
    }

    /** @return device status messages ignored because their payload was neither "online" nor "offline" */
    public long invalidStatuses() {
        return statuses.invalid();
    }

    /** A signed task held while the broker is unreachable, with its deadline. */
    private record HeldTask(SignedDeviceTask task, long deadlineUnixMs) {
    }
}
