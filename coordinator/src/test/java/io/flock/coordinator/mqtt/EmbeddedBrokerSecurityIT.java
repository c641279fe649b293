package io.flock.coordinator.mqtt;

import static io.flock.coordinator.mqtt.TlsClients.NOT_AUTHORIZED;
import static io.flock.coordinator.mqtt.TlsClients.close;
import static io.flock.coordinator.mqtt.TlsClients.connect;
import static io.flock.coordinator.mqtt.TlsClients.publish;
import static io.flock.coordinator.mqtt.TlsClients.sockets;
import static io.flock.coordinator.mqtt.TlsClients.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.mqtt.TlsClients.Received;
import io.flock.coordinator.mqtt.TlsClients.Recorder;
import io.flock.coordinator.mqtt.security.BrokerSecurity;
import io.flock.coordinator.mqtt.security.DeviceDirectory;
import io.flock.coordinator.mqtt.security.TopicPolicy;
import io.flock.coordinator.security.CertificateAuthority;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with {@link BrokerSecurity} (one broker for the class, on a free port): mTLS admission against
 * the device directory, client id binding, and the topic policy on real MQTT 5 traffic over loopback TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddedBrokerSecurityIT {
    private static final Duration VALIDITY = Duration.ofHours(1);
    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    static Path dir;
    /** device id to the fingerprint of its current certificate: the directory admits exactly these */
    private final Map<String, String> current = new ConcurrentHashMap<>();
    /** "gateway>device" pairs */
    private final Set<String> behind = ConcurrentHashMap.newKeySet();
    private final List<Recorder> clients = new ArrayList<>();
    private CertificateAuthority ca;
    private TlsCredentials coordinator;
    private TlsCredentials a;
    private TlsCredentials b;
    private TlsCredentials g;
    private EmbeddedBroker broker;

    @BeforeAll
    void start() throws Exception {
        ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), VALIDITY);
        coordinator = ca.coordinatorCredentials(dir.resolve("ca"), List.of());
        a = enrol("a");
        b = enrol("b");
        g = enrol("g");
        behind.add("g>d1");
        DeviceDirectory directory = new DeviceDirectory() {
            @Override
            public boolean admits(String deviceId, String fingerprint) {
                return fingerprint.equals(current.get(deviceId));
            }

            @Override
            public boolean behind(String gatewayId, String deviceId) {
                return behind.contains(gatewayId + ">" + deviceId);
            }
        };
        broker = new EmbeddedBroker(dir.resolve("broker"), 0, new BrokerSecurity(coordinator, directory));
        broker.start();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(TlsClients::close);
        clients.clear();
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    private TlsCredentials enrol(String id) {
        TlsCredentials c = TlsClients.device(ca, id, Instant.now());
        current.put(id, TlsCredentials.fingerprint(c.certificate()));
        return c;
    }

    private Recorder client(TlsCredentials credentials, String clientId) throws MqttException {
        return client(credentials, clientId, null);
    }

    private Recorder client(TlsCredentials credentials, String clientId, String will) throws MqttException {
        Recorder r = connect(broker.url(), sockets(credentials, ca.certificate()), clientId, will);
        clients.add(r);
        return r;
    }

    private MqttException refused(TlsCredentials credentials, String clientId) {
        return refused(sockets(credentials, ca.certificate()), clientId);
    }

    private MqttException refused(javax.net.ssl.SSLSocketFactory sockets, String clientId) {
        return catchThrowableOfType(MqttException.class, () -> clients.add(connect(broker.url(), sockets, clientId, null)));
    }

    /** The coordinator, subscribed to everything under flock/v1. */
    private Recorder watcher() throws MqttException {
        Recorder w = client(coordinator, "flock-coordinator-watch");
        assertThat(subscribe(w.client(), "flock/v1/#")).isLessThan(0x80);
        return w;
    }

    @Test
    void url_isTls() {
        assertThat(broker.url()).isEqualTo("ssl://127.0.0.1:" + broker.port());
    }

    @Test
    void connect_withoutClientCertificate_isRefused() {
        assertThat(refused((TlsCredentials) null, "flock-agent-a")).as("TLS, no certificate").isNotNull();
        assertThat(catchThrowableOfType(MqttException.class, () -> clients.add(connect("tcp://127.0.0.1:" + broker.port(),
                (javax.net.ssl.SSLSocketFactory) null, "flock-agent-a", null)))).as("plaintext").isNotNull();
    }

    @Test
    void connect_certificateFromAnotherCa_failsTheHandshake() throws Exception {
        CertificateAuthority other = CertificateAuthority.loadOrCreate(dir.resolve("other-ca"), VALIDITY);
        TlsCredentials forged = TlsClients.device(other, "a", Instant.now());

        MqttException e = refused(forged, "flock-agent-a");

        assertThat(e).isNotNull();
        assertThat(e.getReasonCode()).as("no CONNACK: the handshake failed").isNotEqualTo(NOT_AUTHORIZED);
    }

    @Test
    void connect_expiredCertificate_failsTheHandshake() {
        TlsCredentials expired = TlsClients.device(ca, "x", Instant.now().minus(VALIDITY).minus(Duration.ofHours(1)));
        current.put("x", TlsCredentials.fingerprint(expired.certificate()));

        MqttException e = refused(expired, "flock-agent-x");

        assertThat(e).isNotNull();
        assertThat(e.getReasonCode()).isNotEqualTo(NOT_AUTHORIZED);
    }

    @Test
    void connect_unknownRevokedOrReplacedCertificate_isNotAuthorized() {
        TlsCredentials unknown = TlsClients.device(ca, "r", Instant.now());
        TlsCredentials replaced = TlsClients.device(ca, "a", Instant.now()); // a's current certificate is another one

        assertThat(refused(unknown, "flock-agent-r").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        assertThat(refused(replaced, "flock-agent-a").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
    }

    @Test
    void connect_clientIdNotItsOwn_isNotAuthorized() throws Exception {
        assertThat(refused(a, "flock-agent-b").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        assertThat(refused(a, "flock-gateway-b").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        assertThat(refused(a, "a").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        assertThat(refused(a, "flock-coordinator-a").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        assertThat(refused(coordinator, "flock-agent-a").getReasonCode()).isEqualTo(NOT_AUTHORIZED);

        assertThat(client(a, "flock-gateway-a").connected()).isTrue();
    }

    @Test
    void connect_willOnAnotherDevicesStatus_isRefused() throws Exception {
        MqttException e = catchThrowableOfType(MqttException.class, () -> client(a, "flock-agent-a", Topics.status("b")));

        assertThat(e).isNotNull();
        assertThat(e.getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        assertThat(client(a, "flock-agent-a", Topics.status("a")).connected()).isTrue();
    }

    @Test
    void subscribe_outsideItsTopics_isRefused_andDeliversNothing() throws Exception {
        Recorder deviceA = client(a, "flock-agent-a");
        for (String filter : List.of("#", "flock/v1/#", Topics.tasks("b"), Topics.allStatuses(), "flock/v1/devices/+/tasks",
                "flock/v1/models/+/chunks", "$SYS/#", "$share/g/" + Topics.tasks("b"))) {
            assertThat(subscribe(deviceA.client(), filter)).as(filter).isEqualTo(NOT_AUTHORIZED);
        }
        assertThat(subscribe(deviceA.client(), Topics.tasks("a"))).isLessThan(0x80);
        Recorder coord = client(coordinator, "flock-coordinator-1");

        assertThat(publish(coord.client(), Topics.tasks("b"), "for-b", false)).isNull();
        assertThat(publish(coord.client(), Topics.status("b"), "online", false)).isNull();
        assertThat(publish(coord.client(), Topics.tasks("a"), "for-a", false)).isNull();

        await().atMost(WAIT).until(() -> deviceA.got(Topics.tasks("a"), "for-a"));
        assertThat(deviceA.messages()).extracting(Received::topic).containsOnly(Topics.tasks("a"));
        assertThat(deviceA.connected()).as("a refused subscription does not disconnect").isTrue();
    }

    @Test
    void publish_toAnotherDevicesOrTheCoordinatorsTopics_isRefused_andReachesNoOne() throws Exception {
        Recorder deviceB = client(b, "flock-agent-b");
        assertThat(publish(deviceB.client(), Topics.status("b"), "online", true)).isNull();
        Recorder watcher = watcher();
        await().atMost(WAIT).until(() -> watcher.got(Topics.status("b"), "online"));

        // (the rest of what a device may not publish is TopicPolicyTest's: here, one connection per refused publish)
        for (String topic : List.of(Topics.status("b"), Topics.tasks("b"), Topics.announcement("m"), Topics.chunks("m"),
                TopicPolicy.gatewayStatus("b"))) {
            Recorder deviceA = client(a, "flock-agent-a");
            publish(deviceA.client(), topic, "forged", true); // PUBACK NOT_AUTHORIZED (Paho does not throw), then DISCONNECT
            await(topic).atMost(WAIT).until(() -> !deviceA.connected());
        }
        Recorder deviceA = client(a, "flock-agent-a");
        assertThat(publish(deviceA.client(), Topics.status("a"), "marker", true)).isNull();
        await().atMost(WAIT).until(() -> watcher.got(Topics.status("a"), "marker"));

        assertThat(watcher.messages()).extracting(Received::payload).doesNotContain("forged");
        Recorder probe = client(coordinator, "flock-coordinator-probe");
        subscribe(probe.client(), Topics.status("b"));
        await().atMost(WAIT).until(() -> !probe.messages().isEmpty());
        assertThat(probe.messages()).containsExactly(new Received(Topics.status("b"), "online", 6, true));
    }

    @Test
    void gateway_actsForTheDevicesBehindItOnly() throws Exception {
        Recorder watcher = watcher();
        Recorder gateway = client(g, "flock-gateway-g", TopicPolicy.gatewayStatus("g"));

        assertThat(subscribe(gateway.client(), Topics.tasks("d1"))).isLessThan(0x80);
        assertThat(subscribe(gateway.client(), Topics.tasks("d2"))).isEqualTo(NOT_AUTHORIZED);
        assertThat(publish(gateway.client(), TopicPolicy.gatewayStatus("g"), "online", true)).isNull();
        assertThat(publish(gateway.client(), Topics.status("d1"), "online", true)).isNull();
        await().atMost(WAIT).until(() -> watcher.got(Topics.status("d1"), "online"));
        publish(gateway.client(), Topics.status("d2"), "online", true);
        await().atMost(WAIT).until(() -> !gateway.connected());
        Recorder deviceA = client(a, "flock-agent-a");
        assertThat(publish(deviceA.client(), Topics.status("a"), "marker-g", true)).isNull();
        await().atMost(WAIT).until(() -> watcher.got(Topics.status("a"), "marker-g"));

        assertThat(watcher.messages()).extracting(Received::topic).doesNotContain(Topics.status("d2"));
        assertThat(watcher.got(TopicPolicy.gatewayStatus("g"), "online")).isTrue();
    }

    @Test
    void coordinator_tasksAndModelsReachTheDevice() throws Exception {
        Recorder deviceA = client(a, "flock-agent-a");
        for (String filter : List.of(Topics.tasks("a"), Topics.announcement("m"), Topics.chunks("m"))) {
            assertThat(subscribe(deviceA.client(), filter)).as(filter).isLessThan(0x80);
        }
        Recorder coord = client(coordinator, "flock-coordinator-2");

        assertThat(publish(coord.client(), Topics.tasks("a"), "task-1", false)).isNull();
        assertThat(publish(coord.client(), Topics.announcement("m"), "announce-1", true)).isNull();
        assertThat(publish(coord.client(), Topics.chunks("m"), "chunk-1", false)).isNull();

        await().atMost(WAIT).until(() -> deviceA.got(Topics.tasks("a"), "task-1") && deviceA.got(Topics.announcement("m"), "announce-1")
                && deviceA.got(Topics.chunks("m"), "chunk-1"));
    }

    @Test
    void evict_disconnectsTheDevicesSessionsAtOnce_andARevokedDeviceCannotReturn() throws Exception {
        Recorder agent = client(a, "flock-agent-a");
        Recorder gateway = client(a, "flock-gateway-a");
        Recorder deviceB = client(b, "flock-agent-b");
        String fingerprint = current.remove("a");
        try {
            broker.evict("a");

            await().atMost(Duration.ofSeconds(5)).until(() -> !agent.connected() && !gateway.connected());
            assertThat(deviceB.connected()).isTrue();
            assertThat(refused(a, "flock-agent-a").getReasonCode()).isEqualTo(NOT_AUTHORIZED);
        } finally {
            current.put("a", fingerprint);
        }
    }

    @Test
    void publish_overTheMaximumPacketSize_closesTheConnection_andDeliversNothing() throws Exception {
        Recorder deviceA = client(a, "flock-agent-a");
        assertThat(subscribe(deviceA.client(), Topics.chunks("big"))).isLessThan(0x80);

        boolean closed = TlsClients.publishRaw(sockets(coordinator, ca.certificate()), broker.port(), "flock-coordinator-raw",
                Topics.chunks("big"), new byte[EmbeddedBroker.MAX_PACKET_BYTES]);
        Recorder coord = client(coordinator, "flock-coordinator-3");
        assertThat(publish(coord.client(), Topics.chunks("big"), "small", false)).isNull();
        await().atMost(WAIT).until(() -> deviceA.got(Topics.chunks("big"), "small"));

        assertThat(closed).isTrue();
        assertThat(deviceA.messages()).extracting(Received::bytes).containsExactly(5);
    }
}
