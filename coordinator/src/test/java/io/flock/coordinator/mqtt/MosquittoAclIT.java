package io.flock.coordinator.mqtt;

import static io.flock.coordinator.mqtt.TlsClients.close;
import static io.flock.coordinator.mqtt.TlsClients.publish;
import static io.flock.coordinator.mqtt.TlsClients.sockets;
import static io.flock.coordinator.mqtt.TlsClients.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flock.coordinator.cli.DevicesCli;
import io.flock.coordinator.mqtt.TlsClients.Received;
import io.flock.coordinator.mqtt.TlsClients.Recorder;
import io.flock.coordinator.security.CertificateAuthority;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import io.flock.core.net.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SHIPPED production Mosquitto configuration ({@code deploy/mosquitto/mosquitto.conf} and {@code acl}) on a real
 * mosquitto process, with certificates from a Flock CA. Only the listener line (a free port on loopback) and the
 * {@code /mosquitto/} paths (a temporary directory) are rewritten. Mosquitto 2.0 may grant a SUBACK for a filter its
 * ACL does not allow (it checks reads on delivery), so the assertions are on what is delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MosquittoAclIT {
    private static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    static Path dir;
    private final List<Recorder> clients = new ArrayList<>();
    private CertificateAuthority ca;
    private TlsCredentials coordinator;
    private TlsCredentials a;
    private TlsCredentials b;
    private Process mosquitto;
    private Path log;
    private int port;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "no mosquitto binary at " + BINARY + " (.ci/run installs it): skipping MosquittoAclIT");
        ca = CertificateAuthority.loadOrCreate(dir.resolve("keys").resolve("ca"), Duration.ofHours(1));
        coordinator = ca.coordinatorCredentials(dir.resolve("keys").resolve("ca"), List.of());
        a = TlsClients.device(ca, "a", Instant.now());
        b = TlsClients.device(ca, "b", Instant.now());
        Path shipped = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("deploy/mosquitto");
        Path root = dir.resolve("mosquitto");
        Path certs = Files.createDirectories(root.resolve("config/certs"));
        Files.createDirectories(root.resolve("data"));
        // the broker's key and certificate as an operator makes them, with the shipped command
        assertThat(DevicesCli.run("--keys", dir.resolve("keys").toString(), "broker-cert", "--out", certs.toString())).isZero();
        Files.copy(shipped.resolve("acl"), root.resolve("config/acl"));
        port = FreePorts.restartable();
        Path conf = root.resolve("config/mosquitto.conf");
        Files.writeString(conf, rewrite(Files.readString(shipped.resolve("mosquitto.conf")), root));
        ownedByMosquittoUserWhenRoot(dir);
        log = root.resolve("mosquitto.log");
        mosquitto = new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        await().atMost(WAIT).until(() -> listening() || !mosquitto.isAlive());
        assertThat(mosquitto.isAlive()).as("mosquitto exited: %s", Files.readString(log)).isTrue();
    }

    /** Only the listener (a free port on loopback) and the /mosquitto/ paths change: the rest is the shipped file. */
    private String rewrite(String shipped, Path root) {
        assertThat(shipped).contains("\nlistener 8883\n", "/mosquitto/config/acl", "/mosquitto/config/certs/");
        return shipped.replace("\nlistener 8883\n", "\nlistener " + port + " 127.0.0.1\n").replace("/mosquitto/", root + "/");
    }

    /** Started as root, mosquitto drops to the mosquitto user before it reads the ACL, keys and data directory. */
    private static void ownedByMosquittoUserWhenRoot(Path top) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        UserPrincipal user = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("mosquitto");
        try (Stream<Path> all = Files.walk(top)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setOwner(p, user);
            }
        }
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(TlsClients::close);
        clients.clear();
    }

    @AfterAll
    void stop() throws Exception {
        if (mosquitto != null) {
            mosquitto.destroy();
            if (!mosquitto.waitFor(5, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private String url() {
        return "ssl://127.0.0.1:" + port;
    }

    /** Mosquitto replaces the client id with the certificate's common name; the one given here does not matter. */
    private Recorder client(TlsCredentials credentials, String clientId) throws MqttException {
        Recorder r = TlsClients.connect(url(), credentials, clientId);
        clients.add(r);
        return r;
    }

    @Test
    void connect_anonymousOrForeignCertificate_isRefused() throws Exception {
        CertificateAuthority other = CertificateAuthority.loadOrCreate(dir.resolve("other-ca"), Duration.ofHours(1));
        TlsCredentials forged = TlsClients.device(other, "a", Instant.now());

        assertThat(catchThrowableOfType(MqttException.class, () -> clients.add(TlsClients.connect(url(), sockets(null, ca.certificate()),
                "flock-agent-a", null)))).as("no certificate").isNotNull();
        assertThat(catchThrowableOfType(MqttException.class, () -> clients.add(TlsClients.connect("tcp://127.0.0.1:" + port,
                (javax.net.ssl.SSLSocketFactory) null, "flock-agent-a", null)))).as("plaintext").isNotNull();
        assertThat(catchThrowableOfType(MqttException.class, () -> clients.add(TlsClients.connect(url(), sockets(forged, ca.certificate()),
                "flock-agent-a", null)))).as("another CA").isNotNull();
    }

    @Test
    void subscribe_anotherDevicesTasksOrEverything_deliversNothingOfOthers() throws Exception {
        Recorder deviceA = client(a, "flock-agent-a");
        subscribe(deviceA.client(), Topics.tasks("b"));
        subscribe(deviceA.client(), "#");
        subscribe(deviceA.client(), "flock/v1/devices/+/tasks");
        assertThat(subscribe(deviceA.client(), Topics.tasks("a"))).isLessThan(0x80);
        Recorder coord = client(coordinator, "flock-coordinator-1");

        assertThat(publish(coord.client(), Topics.tasks("b"), "for-b", false)).isNull();
        assertThat(publish(coord.client(), Topics.status("b"), "status-b", false)).isNull();
        assertThat(publish(coord.client(), Topics.tasks("a"), "for-a", false)).isNull();

        await().atMost(WAIT).until(() -> deviceA.got(Topics.tasks("a"), "for-a"));
        // "#" may still bring what every device may read (announcements, chunks), never another device's topics
        assertThat(deviceA.messages()).extracting(Received::topic).filteredOn(t -> t.startsWith(Topics.ROOT + "/devices/"))
                .containsOnly(Topics.tasks("a"));
    }

    @Test
    void publish_toAnotherDevicesOrTheCoordinatorsTopics_isDropped() throws Exception {
        Recorder deviceB = client(b, "flock-agent-b");
        assertThat(publish(deviceB.client(), Topics.status("b"), "online", true)).isNull();
        Recorder watcher = client(coordinator, "flock-coordinator-watch");
        subscribe(watcher.client(), "flock/v1/#");
        await().atMost(WAIT).until(() -> watcher.got(Topics.status("b"), "online"));
        Recorder deviceA = client(a, "flock-agent-a");

        for (String topic : List.of(Topics.status("b"), Topics.tasks("b"), Topics.tasks("a"), Topics.announcement("m"), Topics.chunks("m"))) {
            publish(deviceA.client(), topic, "forged", true);
        }
        assertThat(publish(deviceA.client(), Topics.status("a"), "marker", true)).isNull();
        await().atMost(WAIT).until(() -> watcher.got(Topics.status("a"), "marker"));

        assertThat(watcher.messages()).extracting(Received::payload).doesNotContain("forged");
        close(watcher);
        Recorder probe = client(coordinator, "flock-coordinator-probe");
        subscribe(probe.client(), Topics.status("b"));
        await().atMost(WAIT).until(() -> !probe.messages().isEmpty());
        assertThat(probe.messages()).containsExactly(new Received(Topics.status("b"), "online", 6, true));
    }

    @Test
    void connect_withAnotherDevicesClientId_doesNotTakeOverItsSession() throws Exception {
        Recorder deviceB = client(b, "flock-agent-b");

        Recorder deviceA = client(a, "flock-agent-b");

        assertThat(deviceA.connected()).isTrue();
        assertThat(subscribe(deviceA.client(), Topics.tasks("a"))).isLessThan(0x80);
        Thread.sleep(300); // a takeover would have disconnected b by now
        assertThat(deviceB.connected()).isTrue();
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
    void publish_overFiveMebibytes_closesTheConnection_andDeliversNothing() throws Exception {
        Recorder deviceA = client(a, "flock-agent-a");
        assertThat(subscribe(deviceA.client(), Topics.chunks("big"))).isLessThan(0x80);

        boolean closed = TlsClients.publishRaw(sockets(coordinator, ca.certificate()), port, "flock-coordinator-raw",
                Topics.chunks("big"), new byte[5 * 1024 * 1024]);
        Recorder coord = client(coordinator, "flock-coordinator-3");
        assertThat(publish(coord.client(), Topics.chunks("big"), "small", false)).isNull();
        await().atMost(WAIT).until(() -> deviceA.got(Topics.chunks("big"), "small"));

        assertThat(closed).isTrue();
        assertThat(deviceA.messages()).extracting(Received::bytes).containsExactly(5);
    }
}
