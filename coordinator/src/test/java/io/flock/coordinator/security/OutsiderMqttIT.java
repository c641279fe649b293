package io.flock.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.mqtt.TlsClients;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outsider's MQTT attacks of issue 24, against a real secure coordinator and its embedded broker over TLS on
 * loopback: an anonymous client, reading everything, knocking a device out with a forged status, a poisoned
 * announcement, and taking over a device's session. Each fails, and the coordinator's view (B online, the current
 * announcement) stays as it was.
 */
class OutsiderMqttIT {
    @TempDir
    static Path dir;
    private static SecureCoordinator coordinator;
    private static SecureCoordinator.Device a;
    private static SecureCoordinator.Device b;
    private static MqttClient bSession;
    private static final List<MqttClient> clients = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        coordinator = SecureCoordinator.start(dir.resolve("coordinator"), "outsider-mlp", Map.of());
        a = coordinator.enroll("dev-a");
        b = coordinator.enroll("dev-b");
        bSession = connect(b.credentials(), "flock-agent-dev-b", Topics.status("dev-b"));
        bSession.publish(Topics.status("dev-b"), Topics.ONLINE.getBytes(StandardCharsets.UTF_8), 1, true);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.server().devices().available().contains("dev-b"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(1000);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // closing what the broker may have closed already
            }
        }
        coordinator.close();
    }

    @Test
    void anonymousClient_noCertificateOrPlaintext_refused() {
        assertThatThrownBy(() -> connect(null, "flock-agent-nobody", null)).isInstanceOf(MqttException.class);
        String plain = coordinator.server().mqttUrl().replace("ssl://", "tcp://");
        assertThatThrownBy(() -> TlsClients.connect(plain, null, "flock-agent-plain", null)).isInstanceOf(MqttException.class);
    }

    @Test
    void readingEverything_wildcardsAndAnotherDevicesTasks_refused() throws Exception {
        MqttClient c = connect(a.credentials(), "flock-agent-dev-a", null);
        assertThat(c.subscribe("#", 1).getReasonCodes()[0]).as("#").isGreaterThanOrEqualTo(0x80);
        assertThat(c.subscribe("flock/v1/devices/+/tasks", 1).getReasonCodes()[0]).as("every device's tasks").isGreaterThanOrEqualTo(0x80);
        assertThat(c.subscribe(Topics.tasks("dev-b"), 1).getReasonCodes()[0]).as("B's tasks").isGreaterThanOrEqualTo(0x80);
        assertThat(c.subscribe(Topics.tasks("dev-a"), 1).getReasonCodes()[0]).as("its own tasks").isLessThan(0x80);
        c.disconnect();
    }

    @Test
    void knockingDeviceOut_forgedRetainedOffline_refusedAndBStaysAvailable() throws Exception {
        MqttClient c = connect(a.credentials(), "flock-agent-dev-a", null);
        publishQuietly(c, Topics.status("dev-b"), Topics.OFFLINE.getBytes(StandardCharsets.UTF_8), true);

        await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());
        Thread.sleep(500);
        assertThat(coordinator.server().devices().available()).as("B is still available for rounds").contains("dev-b");
        assertThat(bSession.isConnected()).isTrue();
    }

    @Test
    void poisonedAnnouncement_fromADevice_refusedAndTheRetainedOneIsTheCoordinators() throws Exception {
        long current = coordinator.server().registry().requireCurrent(coordinator.model()).version();
        MqttClient c = connect(a.credentials(), "flock-agent-dev-a", null);
        byte[] forged = ModelAnnouncement.newBuilder().setModel(coordinator.model()).setVersion(current + 100).build().toByteArray();
        publishQuietly(c, Topics.announcement(coordinator.model()), forged, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());

        TlsClients.Recorder reader = track(TlsClients.connect(coordinator.server().mqttUrl(),
                TlsClients.sockets(a.credentials(), coordinator.authority()), "flock-agent-dev-a", null));
        reader.client().subscribe(Topics.announcement(coordinator.model()), 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !reader.messages().isEmpty());
        assertThat(ModelAnnouncement.parseFrom(reader.payloads().get(0)).getVersion())
                .as("the retained announcement is still the coordinator's").isEqualTo(current);
        reader.client().disconnect();
    }

    @Test
    void sessionTakeover_anotherDevicesClientId_refusedAndBKeepsItsSession() {
        assertThatThrownBy(() -> connect(a.credentials(), "flock-agent-dev-b", null)).isInstanceOf(MqttException.class);
        assertThat(bSession.isConnected()).isTrue();
        assertThat(coordinator.server().devices().available()).contains("dev-b");
    }

    private static void publishQuietly(MqttClient c, String topic, byte[] payload, boolean retained) {
        try {
            c.publish(topic, payload, 1, retained);
        } catch (MqttException e) {
            // refused: the broker disconnects the client (asserted by the caller)
        }
    }

    private static MqttClient connect(TlsCredentials credentials, String clientId, String will) throws Exception {
        return track(TlsClients.connect(coordinator.server().mqttUrl(), TlsClients.sockets(credentials, coordinator.authority()), clientId,
                will)).client();
    }

    private static TlsClients.Recorder track(TlsClients.Recorder r) {
        clients.add(r.client());
        return r;
    }
}
