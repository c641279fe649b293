package io.flock.agent.link;

import io.flock.agent.security.DeviceCredentials;
import io.flock.core.FlockException;
import io.flock.core.link.Topics;
import io.flock.link.mqtt.QosOnePublisher;
import io.flock.link.mqtt.SessionKeeper;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * One MQTT 5 session shared by many devices in one process (a field gateway, or the simulator's
 * gateway transport for 10,000+ devices). Each device takes a {@link #seat}: the gateway subscribes
 * its task topic and publishes its retained status, and hands it the model's announcements and
 * chunks, which cross the wire once per gateway rather than once per device. A device joining later
 * gets the last announcement replayed as retained.
 *
 * <p>What differs from a session per device: the broker's last will covers the gateway, not each
 * device, so when the whole gateway vanishes its devices stay "online" on the broker until the
 * gateway comes back and republishes their status; the coordinator's round deadline counts them as
 * failures meanwhile. Bytes are counted once, on the gateway's own {@link ByteCounter}.
 */
public final class MqttGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttGateway.class);
    private static final int SUBSCRIBE_BATCH = 200;
    private final String url;
    private final DeviceCredentials credentials;
    private final String gatewayId;
    /** The gateway's own retained status (its last will says "offline"). */
    private final String gatewayStatus;
    private final ByteCounter traffic;
    private final SessionKeeper keeper;
    private final Map<String, Seat> seated = new ConcurrentHashMap<>();
    private final Map<String, ModelAnnouncement> lastAnnouncement = new ConcurrentHashMap<>();
    /** Followed models by their chunk topic and by their announcement topic. */
    private final Map<String, String> chunkTopics = new ConcurrentHashMap<>();
    private final Map<String, String> announcementTopics = new ConcurrentHashMap<>();
    private volatile MqttClient client;

    /**
     * @param url       broker URL
     * @param gatewayId a topic-safe name, unique per broker
     * @param tap       sees every payload on the shared session
     * @param scheduler runs the reconnect watchdog
     */
    public MqttGateway(String url, String gatewayId, WireTap tap, ScheduledExecutorService scheduler) {
        this(url, null, gatewayId, tap, scheduler);
    }

    /** @param credentials the gateway's own certificate and CA for an {@code ssl://} broker; null for {@code tcp://} */
    public MqttGateway(String url, DeviceCredentials credentials, String gatewayId, WireTap tap, ScheduledExecutorService scheduler) {
        this.credentials = credentials;
        this.url = url;
        this.gatewayId = Topics.segment(gatewayId);
        this.gatewayStatus = Topics.ROOT + "/gateways/" + gatewayId + "/status";
        this.traffic = new ByteCounter(tap);
        this.keeper = new SessionKeeper(log, "gateway=" + gatewayId, scheduler, this::subscribeAll);
    }

    /**
     * A device's seat on this gateway; nothing is subscribed until the seat is started.
     *
     * @param handler receives the device's messages on the gateway's callback thread: hand long work on
     */
    public DeviceLink seat(String deviceId, String model, AgentMqttLink.Handler handler) {
        return new Seat(Topics.segment(deviceId), Topics.segment(model), handler);
    }

    /** @return payload bytes in and out of the shared session */
    public ByteCounter traffic() {
        return traffic;
    }

    /** @return whether the shared session is connected */
    public boolean isConnected() {
        MqttClient c = client;
        return c != null && c.isConnected();
    }

    private synchronized void connect() {
        if (client != null) {
            return;
        }
        try {
            client = new MqttClient(url, "flock-gateway-" + gatewayId, new MemoryPersistence());
            client.setCallback(keeper.callback(this::messageArrived));
            MqttConnectionOptions options = sessionOptions(gatewayStatus);
            if (credentials != null && url.startsWith("ssl://")) {
                options.setSocketFactory(credentials.sslContext().getSocketFactory());
            }
            client.connect(options);
            subscribeAll();
            keeper.watch(client);
            log.info("gateway={} connected to {}", gatewayId, url);
        } catch (MqttException | FlockException e) {
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // never connected; nothing else to release
            }
            client = null;
            throw new FlockException("gateway " + gatewayId + " cannot connect to MQTT broker " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * Options of the gateway's session: persistent (clean start off, 1 h expiry) so messages sent
     * while it blinks are delivered on reconnect, automatic reconnect with backoff, and a retained
     * "offline" last will on {@code willTopic}.
     */
    private static MqttConnectionOptions sessionOptions(String willTopic) {
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

    /** Subscribes every followed model and seated device, and republishes every device's status. */
    private synchronized void subscribeAll() throws MqttException {
        publish(gatewayStatus, Topics.ONLINE);
        List<String> topics = new ArrayList<>();
        topics.addAll(announcementTopics.keySet());
        topics.addAll(chunkTopics.keySet());
        List<Seat> seats = new ArrayList<>(seated.values());
        seats.forEach(s -> topics.add(Topics.tasks(s.deviceId)));
        for (int from = 0; from < topics.size(); from += SUBSCRIBE_BATCH) {
            List<String> batch = topics.subList(from, Math.min(topics.size(), from + SUBSCRIBE_BATCH));
            client.subscribe(batch.toArray(String[]::new), batch.stream().mapToInt(t -> 1).toArray());
        }
        for (Seat s : seats) {
            publish(Topics.status(s.deviceId), Topics.ONLINE);
        }
    }

    private synchronized void take(Seat seat) throws MqttException {
        connect();
        seated.put(seat.deviceId, seat);
        if (!isConnected()) {
            return; // the watchdog subscribes it with everyone else on reconnect
        }
        List<String> topics = new ArrayList<>(List.of(Topics.tasks(seat.deviceId)));
        if (chunkTopics.putIfAbsent(Topics.chunks(seat.model), seat.model) == null) {
            announcementTopics.put(Topics.announcement(seat.model), seat.model);
            topics.add(Topics.announcement(seat.model));
            topics.add(Topics.chunks(seat.model));
        }
        client.subscribe(topics.toArray(String[]::new), topics.stream().mapToInt(t -> 1).toArray());
        publish(Topics.status(seat.deviceId), Topics.ONLINE);
        ModelAnnouncement last = lastAnnouncement.get(seat.model);
        if (last != null) {
            seat.handler.onAnnouncement(last, true);
        }
    }

    private synchronized void leave(Seat seat) {
        if (seated.remove(seat.deviceId) == null || !isConnected()) {
            return;
        }
        try {
            client.unsubscribe(Topics.tasks(seat.deviceId));
            publish(Topics.status(seat.deviceId), Topics.OFFLINE);
        } catch (MqttException | FlockException e) {
            log.debug("gateway={} device={} leave: {}", gatewayId, seat.deviceId, e.toString());
        }
    }

    private void publish(String topic, String status) {
        byte[] payload = status.getBytes(StandardCharsets.UTF_8);
        traffic.record("mqtt", true, payload);
        QosOnePublisher.publish(client, topic, payload, true);
    }

    /** Publishes "offline" for every seated device, then disconnects. Idempotent. */
    @Override
    public synchronized void close() {
        if (client == null) {
            return;
        }
        keeper.stop();
        try {
            if (client.isConnected()) {
                for (Seat s : seated.values()) {
                    publish(Topics.status(s.deviceId), Topics.OFFLINE);
                }
                publish(gatewayStatus, Topics.OFFLINE);
                client.disconnect(2000);
            }
            client.close(true);
        } catch (MqttException | FlockException e) {
            log.debug("gateway={} MQTT close: {}", gatewayId, e.toString());
        } finally {
            client = null;
            seated.clear();
        }
    }

    private void deliver(String topic, byte[] payload, boolean retained) throws com.google.protobuf.InvalidProtocolBufferException {
        String device = Topics.deviceOfTasks(topic);
        if (device != null) {
            Seat s = seated.get(device);
            if (s != null) {
                s.handler.onTask(payload);
            }
            return;
        }
        String chunksOf = chunkTopics.get(topic);
        if (chunksOf != null) {
            ArtifactChunk chunk = ArtifactChunk.parseFrom(payload);
            forEachFollower(chunksOf, s -> s.handler.onChunk(chunk));
            return;
        }
        String announced = announcementTopics.get(topic);
        if (announced != null) {
            ModelAnnouncement a = ModelAnnouncement.parseFrom(payload);
            lastAnnouncement.put(announced, a);
            forEachFollower(announced, s -> s.handler.onAnnouncement(a, retained));
        }
    }

    private void forEachFollower(String model, java.util.function.Consumer<Seat> action) {
        for (Seat s : seated.values()) {
            if (s.model.equals(model)) {
                try {
                    action.accept(s);
                } catch (RuntimeException e) {
                    log.warn("gateway={} device={} failed to handle a message: {}", gatewayId, s.deviceId, e.toString());
                }
            }
        }
    }

    private final class Seat implements DeviceLink {
        private final String deviceId;
        private final String model;
        private final AgentMqttLink.Handler handler;

        Seat(String deviceId, String model, AgentMqttLink.Handler handler) {
            this.deviceId = deviceId;
            this.model = model;
            this.handler = handler;
        }

        @Override
        public void start() {
            if (seated.get(deviceId) == this) {
                return;
            }
            try {
                take(this);
            } catch (MqttException | FlockException e) {
                seated.remove(deviceId);
                throw new FlockException("device " + deviceId + " cannot take a seat on gateway " + gatewayId + ": " + e.getMessage(), e);
            }
        }

        @Override
        public boolean isConnected() {
            return seated.get(deviceId) == this && MqttGateway.this.isConnected();
        }

        @Override
        public void close() {
            leave(this);
        }
    }

    private void messageArrived(String topic, MqttMessage message) {
        byte[] payload = message.getPayload();
        traffic.record("mqtt", false, payload);
        try {
            deliver(topic, payload, message.isRetained());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            log.warn("gateway={} dropped malformed message on {}: {}", gatewayId, topic, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("gateway={} failed to handle message on {}: {}", gatewayId, topic, e.toString());
        }
    }
}
