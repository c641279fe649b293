package io.flock.simulator.fleet;

import io.flock.coordinator.mqtt.Broker;
import io.flock.coordinator.mqtt.EmbeddedBroker;
import io.flock.coordinator.mqtt.security.BrokerSecurity;
import io.flock.coordinator.mqtt.security.DeviceDirectory;
import io.flock.core.FlockException;
import io.flock.core.artifact.KeyFiles;
import io.flock.core.identity.TlsCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The embedded HiveMQ CE broker ({@link EmbeddedBroker}, same configuration) in a JVM of its own, so that its memory
 * can be read apart from the simulator's: W4 measures the broker's memory, and an in-process broker's is mixed into the
 * simulator's RSS. The child runs this class's {@link #main}, writes {@code ready} into its home once it accepts
 * connections, and stops when its standard input closes, so it cannot outlive the simulator. Its output goes to
 * {@code broker.log} in its home. {@link #start()} and {@link #close()} are idempotent; start after close starts a new
 * process on the same port (a broker restart).
 */
public final class BrokerProcess implements Broker {
    /** Heap of the broker's JVM: a push to 1,000 agents queues 1,000 copies of each chunk. */
    private static final String HEAP = "-Xmx1g";
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Every device whose certificate the CA issued; a gateway may act for any device (see the TLS constructor). */
    private static final DeviceDirectory CA_ISSUED = new DeviceDirectory() {
        @Override
        public boolean admits(String deviceId, String fingerprint) {
            return true;
        }

        @Override
        public boolean behind(String gatewayId, String deviceId) {
            return true;
        }
    };
    private final Path home;
    private final int port;
    /** Null: plaintext. */
    private final TlsCredentials tls;
    private Process process;

    /**
     * @param home directory for the broker's config, data, log and ready file (created if absent)
     * @param port TCP port on 127.0.0.1 (a free one: the child cannot report a port it picked)
     */
    public BrokerProcess(Path home, int port) {
        this(home, port, null);
    }

    /**
     * A broker with mutual TLS and the Flock topic ACL. The child cannot ask the coordinator about a device, so it admits
     * every certificate the CA issued (the TLS handshake checks the chain and the dates) and lets a gateway act for any
     * device: revocation and gateway bounds are not enforced here. For simulations that measure the cost of TLS, not for
     * fleets (the coordinator's own embedded broker enforces both).
     *
     * @param tls the coordinator's credentials (the broker's server certificate, and the CA clients must chain to)
     */
    public BrokerProcess(Path home, int port, TlsCredentials tls) {
        this.tls = tls;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        this.home = home;
        this.port = port;
    }

    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Files.createDirectories(home);
            Path ready = home.resolve("ready");
            Files.deleteIfExists(ready);
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP));
            String logback = System.getProperty("logback.configurationFile");
            if (logback != null) {
                cmd.add("-Dlogback.configurationFile=" + logback);
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BrokerProcess.class.getName(), home.toString(),
                    String.valueOf(port)));
            if (tls != null) {
                writeTls(home.resolve("tls"));
                cmd.add("tls");
            }
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(home.resolve("broker.log").toFile()).start();
            long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
            while (!Files.exists(ready)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String why = process.isAlive() ? "did not start in 60 s" : "exited with " + process.exitValue();
                    close();
                    throw new FlockException("MQTT broker process on port " + port + " " + why + "; see " + home.resolve("broker.log"));
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new FlockException("interrupted while the MQTT broker process started", e);
        }
    }

    @Override
    public String url() {
        return (tls == null ? "tcp" : "ssl") + "://127.0.0.1:" + port;
    }

    private void writeTls(Path dir) throws IOException {
        KeyFiles.createDirectory(dir);
        KeyFiles.writePrivate(dir.resolve("key.pk8"), Base64.getEncoder().encodeToString(tls.key().getEncoded()));
        try {
            Files.write(dir.resolve("cert.der"), tls.certificate().getEncoded());
            Files.write(dir.resolve("ca.der"), tls.authority().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TlsCredentials readTls(Path dir) throws IOException {
        try {
            var key = java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(Files.readString(dir.resolve("key.pk8")).trim())));
            return new TlsCredentials(key, TlsCredentials.certificate(Files.readAllBytes(dir.resolve("cert.der"))),
                    TlsCredentials.certificate(Files.readAllBytes(dir.resolve("ca.der"))));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("broker credentials in " + dir + " do not load: " + e.getMessage(), e);
        }
    }

    /** @return the broker process's id, or -1 when it is not running */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /** Closes the child's standard input, which stops its broker, and waits for it to exit (killed after 30 s). */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    /**
     * The child: starts the broker, announces it in {@code HOME/ready}, and runs until standard input ends.
     *
     * @param args HOME and PORT, then "tls" for mutual TLS with the credentials in HOME/tls
     */
    public static void main(String[] args) throws IOException {
        Path home = Path.of(args[0]);
        BrokerSecurity security = args.length > 2 ? new BrokerSecurity(readTls(home.resolve("tls")), CA_ISSUED) : null;
        EmbeddedBroker broker = new EmbeddedBroker(home.resolve("hivemq"), Integer.parseInt(args[1]), security);
        try {
            broker.start();
        } catch (RuntimeException e) {
            System.out.println("broker did not start: " + e.getMessage());
            System.exit(1); // the broker's own threads would keep a failed JVM alive
        }
        Files.writeString(home.resolve("ready"), broker.url());
        while (System.in.read() != -1) {
            // nothing comes on stdin; its end is the signal to stop
        }
        broker.close();
        System.exit(0);
    }
}
