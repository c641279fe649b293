package io.flock.agent.link;

import io.flock.core.FlockException;
import io.flock.core.link.QosOnePublisher;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
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
    private final String gatewayId;
    private final ByteCounter traffic;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Seat> seated = new ConcurrentHashMap<>();
    private final Map<String, ModelAnnouncement> lastAnnouncement = new ConcurrentHashMap<>();
    private final Map<String, Boolean> models = new ConcurrentHashMap<>();
    private final AtomicBoolean resubscribe = new AtomicBoolean();
    private volatile MqttClient client;
    private ScheduledFuture<?> watchdog;

    /**
     * @param url       broker URL
     * @param gatewayId a topic-safe name, unique per broker
     * @param tap       sees every payload on the shared session
     * @param scheduler runs the reconnect watchdog
     */
    public MqttGateway(String url, String gatewayId, WireTap tap, ScheduledExecutorService scheduler) {
        this.url = url;
        this.gatewayId = Topics.segment(gatewayId);
        this.traffic = new ByteCounter(tap);
        this.scheduler = scheduler;
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

    /** @return devices seated now */
    public int seatedDevices() {
        return seated.size();
    }

    private synchronized void connect() {
        if (client != null) {
            return;
        }
        try {
            client = new MqttClient(url, "flock-gateway-" + gatewayId, new MemoryPersistence());
            client.setCallback(new Callback());
            client.connect(AgentMqttLink.sessionOptions(Topics.ROOT + "/gateways/" + gatewayId + "/status"));
            subscribeAll();
            watchdog = scheduler.scheduleWithFixedDelay(this::keepConnected, 2, 2, TimeUnit.SECONDS);
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

    private void keepConnected() {
        MqttClient c = client;
        if (c == null) {
            return;
        }
        if (!c.isConnected()) {
            resubscribe.set(true);
            try {
                c.reconnect();
            } catch (MqttException e) {
                log.debug("gateway={} reconnect attempt: {}", gatewayId, e.getMessage());
            }
        } else if (resubscribe.compareAndSet(true, false)) {
            try {
                subscribeAll();
                log.info("gateway={} reconnected; {} devices back online", gatewayId, seated.size());
            } catch (MqttException | FlockException e) {
                resubscribe.set(true);
                log.warn("gateway={} re-subscribe failed: {}", gatewayId, e.toString());
            }
        }
    }

    /** Subscribes every followed model and seated device, and republishes every device's status. */
    private synchronized void subscribeAll() throws MqttException {
        publish(Topics.ROOT + "/gateways/" + gatewayId + "/status", Topics.ONLINE);
        List<String> topics = new ArrayList<>();
        for (String model : models.keySet()) {
            topics.add(Topics.announcement(model));
            topics.add(Topics.chunks(model));
        }
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
        if (models.putIfAbsent(seat.model, Boolean.TRUE) == null) {
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

    private void publish(String topic, String status) throws MqttException {
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
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        try {
            if (client.isConnected()) {
                for (Seat s : seated.values()) {
                    publish(Topics.status(s.deviceId), Topics.OFFLINE);
                }
                publish(Topics.ROOT + "/gateways/" + gatewayId + "/status", Topics.OFFLINE);
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
                s.handler.onTask(DeviceTask.parseFrom(payload));
            }
            return;
        }
        for (String model : models.keySet()) {
            if (topic.equals(Topics.chunks(model))) {
                ArtifactChunk chunk = ArtifactChunk.parseFrom(payload);
                forEachFollower(model, s -> s.handler.onChunk(chunk));
                return;
            }
            if (topic.equals(Topics.announcement(model))) {
                ModelAnnouncement a = ModelAnnouncement.parseFrom(payload);
                lastAnnouncement.put(model, a);
                forEachFollower(model, s -> s.handler.onAnnouncement(a, retained));
                return;
            }
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

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
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

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            if (reconnect) {
                resubscribe.set(true);
                scheduler.execute(MqttGateway.this::keepConnected);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            resubscribe.set(true);
            log.info("gateway={} lost the MQTT broker: {}", gatewayId, response.getException() != null
                    ? response.getException().getMessage() : "reason code " + response.getReturnCode());
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("gateway={} MQTT error: {}", gatewayId, exception.toString());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
