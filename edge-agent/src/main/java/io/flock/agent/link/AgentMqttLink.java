package io.flock.agent.link;

import com.google.protobuf.InvalidProtocolBufferException;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import io.flock.agent.security.DeviceCredentials;
import io.flock.core.FlockException;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.ModelAnnouncement;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's own MQTT 5 session: persistent (clean start off, 1 h expiry) so tasks sent while it
 * blinks are delivered on reconnect; reconnects with backoff (0.5 s doubling to 15 s) after every
 * loss that was not its own {@link #close()}, resubscribing when the broker lost the session; a
 * retained "offline" last will and a retained "online" status on every connect. Malformed messages
 * are logged and dropped.
 *
 * <p>Built on the HiveMQ MQTT client: every session in the process shares its Netty event loops,
 * and payloads are read in blocks. Messages are handed to the device's own executor, in order.
 * (Paho, which the coordinator and the gateway use, runs four threads per session and copies every
 * payload one byte per call: 1,000 simulated devices receiving a pushed model spent more CPU there
 * than on verifying and loading it.)
 */
public final class AgentMqttLink implements DeviceLink {
    private static final Logger log = LoggerFactory.getLogger(AgentMqttLink.class);
    private static final long TIMEOUT_SECONDS = 10;
    private static final long MAX_BACKOFF_MS = 15_000;

    /** Receives decoded messages on the device's executor, one at a time: hand long work on. */
    public interface Handler {
        /** A model announcement; {@code retained} when it predates this connection. */
        void onAnnouncement(ModelAnnouncement announcement, boolean retained);

        /** One artifact chunk. */
        void onChunk(ArtifactChunk chunk);

        /** What arrived on this device's task topic: a signed task, to verify before anything else. */
        void onTask(byte[] signedTask);
    }

    private final URI broker;
    private final String deviceId;
    private final String model;
    private final Handler handler;
    private final WireTap tap;
    private final Executor executor;
    private final DeviceCredentials credentials;
    private volatile Mqtt5AsyncClient client;
    /** What the current client calls back into; cut loose on {@link #close()}. */
    private volatile Callbacks callbacks;
    /** Whether the current client has been connected once (only then does it reconnect by itself). */
    private volatile boolean established;
    /** The task, announcement and chunk topics are subscribed: only then may the device say it is online. */
    private volatile boolean subscribed;

    /**
     * @param url      broker URL, {@code tcp://host:port}
     * @param deviceId this device
     * @param model    model whose announcements and chunks to follow
     * @param handler  receives messages
     * @param tap      sees every payload
     * @param executor the device's own executor: runs the handler, one message at a time, in order
     * @throws FlockException for a URL that is not {@code tcp://host:port}
     */
    public AgentMqttLink(String url, String deviceId, String model, Handler handler, WireTap tap, Executor executor) {
        this(url, null, deviceId, model, handler, tap, executor);
    }

    /**
     * @param credentials the device's certificate and CA, presented to an {@code ssl://} broker (a {@code tcp://} one is
     *                    plaintext); null = insecure mode
     */
    public AgentMqttLink(String url, DeviceCredentials credentials, String deviceId, String model, Handler handler, WireTap tap,
                         Executor executor) {
        this.broker = parse(url, credentials != null);
        this.credentials = "ssl".equals(broker.getScheme()) ? credentials : null;
        this.deviceId = deviceId;
        this.model = model;
        this.handler = handler;
        this.tap = tap;
        this.executor = executor;
    }

    private static URI parse(String url, boolean tls) {
        URI u = URI.create(url);
        boolean ok = "tcp".equals(u.getScheme()) || (tls && "ssl".equals(u.getScheme()));
        if (!ok || u.getHost() == null || u.getPort() <= 0) {
            throw new FlockException("MQTT broker URL must be " + (tls ? "ssl://host:port (or a plaintext tcp://)" : "tcp://host:port (ssl://"
                    + " needs the device's credentials)") + ", got " + url);
        }
        return u;
    }

    /** Connects, subscribes and announces "online"; idempotent. */
    @Override
    public synchronized void start() {
        if (client != null) {
            return;
        }
        Callbacks cb = new Callbacks(this);
        var builder = MqttClient.builder().useMqttVersion5()
                .identifier("flock-agent-" + deviceId)
                .serverHost(broker.getHost()).serverPort(broker.getPort());
        if (credentials != null) {
            builder = builder.sslConfig().keyManagerFactory(credentials.keyManagerFactory()).trustManagerFactory(credentials.trustManagers())
                    .applySslConfig();
        }
        Mqtt5AsyncClient c = builder
                .transportConfig().socketConnectTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .mqttConnectTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).applyTransportConfig()
                .willPublish().topic(Topics.status(deviceId)).payload(bytes(Topics.OFFLINE)).qos(MqttQos.AT_LEAST_ONCE)
                .retain(true).applyWillPublish()
                .addConnectedListener(ctx -> cb.connected())
                .addDisconnectedListener(cb::disconnected)
                .buildAsync();
        // before connecting: a persistent session's queued messages follow the CONNACK at once
        c.publishes(MqttGlobalPublishFilter.ALL, cb::arrived, executor);
        client = c;
        callbacks = cb;
        established = false;
        subscribed = false;
        try {
            await(c.connectWith().cleanStart(false).sessionExpiryInterval(3600).keepAlive(30).send());
            established = true;
            Mqtt5SubAck ack = await(c.subscribeWith()
                    .addSubscription().topicFilter(Topics.tasks(deviceId)).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter(Topics.announcement(model)).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter(Topics.chunks(model)).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .send());
            if (ack.getReasonCodes().stream().anyMatch(r -> r.isError())) {
                throw new FlockException("the broker refused a subscription: " + ack.getReasonCodes());
            }
            subscribed = true;
            announceOnline(c);
        } catch (FlockException e) {
            client = null;
            cb.cut();
            c.disconnect();
            throw new FlockException("device " + deviceId + " cannot connect to MQTT broker " + broker + ": " + e.getMessage(), e);
        }
    }

    /**
     * On every reconnect: the retained "online" status (a restarted broker may have lost it). Not on the first
     * connect: "online" makes the coordinator pick this device, so it goes out only once the task topic is
     * subscribed ({@link #start()}); a task sent before that would have reached no subscription and been lost.
     */
    private void onConnected() {
        Mqtt5AsyncClient c = client;
        if (c == null || !subscribed) {
            return;
        }
        announceOnline(c);
        if (established) {
            log.info("device={} reconnected to the MQTT broker", deviceId);
        }
    }

    private void announceOnline(Mqtt5AsyncClient c) {
        publishStatus(c, Topics.ONLINE).whenComplete((r, e) -> {
            if (e != null || r.getError().isPresent()) {
                log.warn("device={} could not publish its status: {}", deviceId, e != null ? e.toString() : r.getError().get());
            }
        });
    }

    private void onDisconnected(MqttClientDisconnectedContext ctx) {
        if (ctx.getSource() == MqttDisconnectSource.USER || !established || client == null) {
            return; // our own close, or a first connect that failed: start() reports it
        }
        long delay = Math.min(MAX_BACKOFF_MS, 500L << Math.min(5, ctx.getReconnector().getAttempts()));
        if (ctx.getReconnector().getAttempts() == 0) {
            log.info("device={} lost the MQTT broker: {}", deviceId, ctx.getCause().getMessage());
        }
        ctx.getReconnector().resubscribeIfSessionExpired(true).reconnect(true).delay(delay, TimeUnit.MILLISECONDS);
    }

    private java.util.concurrent.CompletableFuture<Mqtt5PublishResult> publishStatus(Mqtt5AsyncClient c, String status) {
        byte[] payload = bytes(status);
        tap.record("mqtt", true, payload);
        return c.publishWith().topic(Topics.status(deviceId)).payload(payload).qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
    }

    /** @return whether the session is connected now */
    @Override
    public boolean isConnected() {
        Mqtt5AsyncClient c = client;
        return c != null && c.getState().isConnected();
    }

    /** Leaves cleanly: publishes "offline", then disconnects. Idempotent. */
    @Override
    public synchronized void close() {
        Mqtt5AsyncClient c = client;
        if (c == null) {
            return;
        }
        client = null;
        callbacks.cut();
        try {
            if (c.getState().isConnected()) {
                await(publishStatus(c, Topics.OFFLINE));
            }
        } catch (FlockException e) {
            log.debug("device={} could not publish offline: {}", deviceId, e.getMessage());
        }
        try {
            c.disconnect().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("device={} MQTT disconnect: {}", deviceId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void messageArrived(Mqtt5Publish message) {
        String topic = message.getTopic().toString();
        byte[] payload = message.getPayloadAsBytes();
        tap.record("mqtt", false, payload);
        try {
            if (topic.equals(Topics.chunks(model))) {
                handler.onChunk(ArtifactChunk.parseFrom(payload));
            } else if (topic.equals(Topics.announcement(model))) {
                handler.onAnnouncement(ModelAnnouncement.parseFrom(payload), message.isRetain());
            } else if (topic.equals(Topics.tasks(deviceId))) {
                handler.onTask(payload);
            }
        } catch (InvalidProtocolBufferException e) {
            log.warn("device={} dropped malformed message on {}: {}", deviceId, topic, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("device={} failed to handle message on {}: {}", deviceId, topic, e.toString());
        }
    }

    /**
     * What a HiveMQ client calls back into. The client keeps a disconnected session's state (its config, listeners
     * and flows) until the session would expire, an hour here, on a timer on the shared event loop, so that it could
     * resume it. Were the callbacks this link itself, every closed agent (its model, private data and gRPC channel)
     * would stay reachable for that hour: 100 agents re-created ten times in one JVM ran a 640 MB heap out of memory.
     * {@link #close()} cuts them loose instead.
     */
    private static final class Callbacks {
        private volatile AgentMqttLink link;

        Callbacks(AgentMqttLink link) {
            this.link = link;
        }

        void cut() {
            link = null;
        }

        void connected() {
            AgentMqttLink l = link;
            if (l != null) {
                l.onConnected();
            }
        }

        void disconnected(MqttClientDisconnectedContext ctx) {
            AgentMqttLink l = link;
            if (l != null) {
                l.onDisconnected(ctx);
            }
        }

        void arrived(Mqtt5Publish message) {
            AgentMqttLink l = link;
            if (l != null) {
                l.messageArrived(message);
            }
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            T result = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (result instanceof Mqtt5PublishResult r && r.getError().isPresent()) {
                throw new FlockException(r.getError().get().getMessage());
            }
            return result;
        } catch (ExecutionException e) {
            throw new FlockException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new FlockException("no answer from the broker within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlockException("interrupted", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
