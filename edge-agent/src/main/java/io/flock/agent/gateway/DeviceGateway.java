package io.flock.agent.gateway;

import io.flock.agent.link.AgentMqttLink;
import io.flock.agent.link.ByteCounter;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.link.DeviceLink;
import io.flock.agent.link.MqttGateway;
import io.flock.agent.link.WireTap;
import io.flock.agent.outbox.UploadRoute;
import io.flock.agent.relay.TierAggregator;
import io.flock.agent.security.DeviceCredentials;
import io.flock.core.artifact.ArtifactVerifier;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Connections and threads that many devices in one process share: one MQTT session
 * ({@link MqttGateway}), one gRPC connection to the coordinator, and the caller's scheduler and
 * worker pool, of which each device gets its own view. A device on a gateway costs no thread and no
 * socket of its own; the simulator uses it for fleets of 10,000 and more. Thread-safe.
 */
public final class DeviceGateway implements AutoCloseable {
    private final String gatewayId;
    private final String coordinator;
    private final DeviceCredentials credentials;
    private final MqttGateway mqtt;
    private final Object enrolling = new Object();
    private final ManagedChannel channel;
    private final ScheduledExecutorService timers;
    private final ExecutorService workers;
    private final WireTap tap;
    private volatile TierAggregator tiers;

    /**
     * @param gatewayId   a topic-safe name, unique per broker
     * @param mqttUrl     broker URL
     * @param coordinator coordinator gRPC address host:port
     * @param tap         sees every payload on the shared MQTT session
     * @param timers      shared scheduler (owned by the caller)
     * @param workers     shared pool for the devices' training work (owned by the caller)
     */
    public DeviceGateway(String gatewayId, String mqttUrl, String coordinator, WireTap tap, ScheduledExecutorService timers,
                         ExecutorService workers) {
        this(gatewayId, null, mqttUrl, coordinator, tap, timers, workers);
    }

    /**
     * A gateway with its own identity: it enrolls itself (a device certificate for {@code gatewayId}), its devices
     * enroll behind it, and it acts for them on its mTLS connections.
     *
     * @param credentials the gateway's key, certificate and CA; null = plaintext (insecure mode)
     */
    public DeviceGateway(String gatewayId, DeviceCredentials credentials, String mqttUrl, String coordinator, WireTap tap,
                         ScheduledExecutorService timers, ExecutorService workers) {
        this.gatewayId = gatewayId;
        this.coordinator = coordinator;
        this.credentials = credentials;
        this.mqtt = new MqttGateway(mqttUrl, credentials, gatewayId, tap, timers);
        this.channel = CoordinatorClient.channel(coordinator, credentials);
        this.timers = timers;
        this.workers = workers;
        this.tap = tap;
    }

    /**
     * Turns on tiered aggregation for devices linked from now on: the gateway pre-aggregates their plain updates of a
     * round and uploads one ({@link TierAggregator}). Idempotent.
     *
     * @param verifier the coordinator's task signatures, which the gateway checks before it waits for a device
     * @param margin   how long before a task's deadline the gateway uploads what it has
     * @return this gateway
     */
    public synchronized DeviceGateway preAggregate(ArtifactVerifier verifier, Duration margin) {
        if (tiers == null) {
            tiers = new TierAggregator(gatewayId, new CoordinatorClient(channel, gatewayId, tap, () -> true), verifier, timers, workers,
                    margin);
        }
        return this;
    }

    /** @return the route of a device's updates: through this gateway's pre-aggregation when it is on, else straight up */
    public UploadRoute route(String deviceId, CoordinatorClient own) {
        TierAggregator t = tiers;
        return t == null ? own::upload : t.route(deviceId, own::upload);
    }

    /**
     * Enrolls the gateway itself once, when it holds no certificate yet; idempotent.
     *
     * @throws io.grpc.StatusRuntimeException with the coordinator's refusal
     */
    public void enroll(String hardware, String token, Duration timeout) throws IOException {
        if (credentials == null) {
            // insecure mode: the gateway registers as a device of its own, the sender of its pre-aggregated updates
            try (CoordinatorClient self = new CoordinatorClient(channel, gatewayId, WireTap.NONE, () -> true)) {
                self.register(hardware, token, timeout);
            }
            return;
        }
        synchronized (enrolling) {
            if (!credentials.enrolled()) {
                // on a connection of its own: the shared one must first connect once the certificate is there (TLS resumes a
                // connection's session, and with it the client certificate it had: none)
                try (CoordinatorClient self = new CoordinatorClient(coordinator, credentials, gatewayId, WireTap.NONE, () -> true)) {
                    credentials.install(self.enroll(hardware, token, credentials.certificationRequest(), timeout).getCertificate().toByteArray());
                }
            }
        }
    }

    /** @return whether devices on this gateway enroll behind it (secure mode) */
    public boolean secure() {
        return credentials != null;
    }

    /** @return a device's seat on the shared MQTT session */
    public DeviceLink link(String deviceId, String model, AgentMqttLink.Handler handler) {
        TierAggregator t = tiers;
        return mqtt.seat(deviceId, model, t == null ? handler : t.watch(deviceId, handler));
    }

    /** @return a device's client on the shared gRPC connection; closing it leaves the connection open */
    public CoordinatorClient coordinator(String deviceId, WireTap tap, BooleanSupplier reachable) {
        return new CoordinatorClient(channel, deviceId, tap, reachable).behind(gatewayId);
    }

    /** @return a device's own view of the shared scheduler */
    public ScheduledExecutorService timers() {
        return new DeviceScheduler(timers);
    }

    /** @return a device's own serial queue on the shared workers */
    public ExecutorService worker() {
        return new SerialExecutor(workers);
    }

    /** @return payload bytes on the shared MQTT session (gRPC bytes are counted per device) */
    public ByteCounter mqttTraffic() {
        return mqtt.traffic();
    }

    /** Leaves the broker (every seated device goes "offline") and closes the gRPC connection. */
    @Override
    public void close() {
        TierAggregator t = tiers;
        if (t != null) {
            t.close();
        }
        mqtt.close();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(3, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }
}
