package io.flock.coordinator.mqtt;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import io.flock.coordinator.mqtt.security.AccessExtension;
import io.flock.coordinator.mqtt.security.BrokerSecurity;
import io.flock.core.FlockException;
import io.flock.core.artifact.KeyFiles;
import io.flock.core.net.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded HiveMQ CE MQTT 5 broker on 127.0.0.1, in-memory persistence, no usage statistics, packets of at most
 * {@link #MAX_PACKET_BYTES}. Port 0 picks a free port. Start takes 1-2 s (0.1-0.3 s once the JVM has started one),
 * stop about 2 s: HiveMQ's Netty shutdown waits out a fixed 2 s quiet period. Its persistence shutdown then gives tasks
 * still in flight a grace period, 2 s by default, before it closes the stores; by then the listeners and every client
 * connection are closed, and this broker's stores are in memory, dropped with it, so {@link #PERSISTENCE_SHUTDOWN_GRACE_MS}
 * is enough. (With the default, every stop took 4 s: each restart in a test or a simulation, and the clients' reconnect
 * backoff growing meanwhile.)
 *
 * <p>Without {@link BrokerSecurity} it is open: one plaintext listener, anyone may connect, publish and subscribe
 * (tests, the demo). With it, there is only a TLS listener that requires a client certificate from the Flock CA, and
 * the {@link AccessExtension} admits the coordinator and enrolled devices and applies
 * {@link io.flock.coordinator.mqtt.security.TopicPolicy} to every publish and subscription.
 */
public final class EmbeddedBroker implements Broker {
    /** Largest MQTT packet accepted, bytes: 5 MiB, room for a pushed chunk (at most 4 MiB) and its envelope. */
    public static final int MAX_PACKET_BYTES = 5 * 1024 * 1024;
    /** Grace, ms, HiveMQ gives in-flight persistence writes at stop (its own default is 2,000): see the class comment. */
    static final int PERSISTENCE_SHUTDOWN_GRACE_MS = 100;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
    private final Path home;
    private final int requestedPort;
    private final BrokerSecurity security;
    private int port;
    private EmbeddedHiveMQ hivemq;
    private AccessExtension access;

    /**
     * An open broker (plaintext, no authentication).
     *
     * @param home directory for the broker's config and data (created if absent)
     * @param port TCP port on 127.0.0.1, 0 = any free port
     */
    public EmbeddedBroker(Path home, int port) {
        this(home, port, null);
    }

    /**
     * @param home     directory for the broker's config, key stores and data (created if absent)
     * @param port     TCP port on 127.0.0.1, 0 = any free port
     * @param security TLS credentials and device directory; null for an open plaintext broker
     */
    public EmbeddedBroker(Path home, int port, BrokerSecurity security) {
        this.home = home;
        this.requestedPort = port;
        this.security = security;
    }

    @Override
    public synchronized void start() {
        if (hivemq != null) {
            return;
        }
        try {
            port = requestedPort == 0 ? FreePorts.restartable() : requestedPort;
            Path conf = Files.createDirectories(home.resolve("conf"));
            String listener = security == null
                    ? "<tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>".formatted(port)
                    : security.writeTlsListener(conf.resolve("tls"), port);
            String config = """
                    <?xml version="1.0"?>
                    <hivemq>
                      <listeners>
                    %s
                      </listeners>
                      <mqtt><packets><max-packet-size>%d</max-packet-size></packets></mqtt>
                      <persistence><mode>in-memory</mode></persistence>
                      <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                      <general><update-check-enabled>false</update-check-enabled></general>
                    </hivemq>
                    """.formatted(listener, MAX_PACKET_BYTES);
            if (security == null) {
                Files.writeString(conf.resolve("config.xml"), config);
            } else {
                KeyFiles.writePrivate(conf.resolve("config.xml"), config); // holds the key store password
            }
            // read by each broker's persistence as it starts; HiveMQ keeps it in a static of its internal configuration
            InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(PERSISTENCE_SHUTDOWN_GRACE_MS);
            EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(Files.createDirectories(home.resolve("data")))
                    .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
                    .withoutLoggingBootstrap();
            if (security != null) {
                access = new AccessExtension(security.directory());
                builder.withEmbeddedExtension(access.embedded());
            }
            hivemq = builder.build();
            hivemq.start().get(60, TimeUnit.SECONDS);
            if (access != null && !access.started()) {
                stopQuietly();
                throw new FlockException("embedded MQTT broker stopped: its access extension did not start (see the log),"
                        + " and it does not serve unauthenticated clients");
            }
            log.info("embedded MQTT broker listening url={} security={}", url(), security == null ? "none" : "mtls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (FlockException e) {
            throw e;
        } catch (Exception e) {
            hivemq = null;
            access = null;
            throw new FlockException("embedded MQTT broker failed to start on port " + port + ": " + e.getMessage(), e);
        }
    }

    private void stopQuietly() {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            log.warn("embedded MQTT broker did not stop cleanly: {}", e.toString());
        } finally {
            hivemq = null;
            access = null;
        }
    }

    @Override
    public String url() {
        return (security == null ? "tcp" : "ssl") + "://127.0.0.1:" + port;
    }

    /**
     * Disconnects the device's live sessions at once (as an agent and as a gateway) and drops their stored state;
     * see {@link AccessExtension#evict}. Call it after revoking the device in the {@link
     * io.flock.coordinator.mqtt.security.DeviceDirectory}, which then refuses its reconnects. A no-op for an open broker
     * or one not started.
     */
    @Override
    public void evict(String deviceId) {
        AccessExtension a;
        synchronized (this) {
            a = access;
        }
        if (a != null) {
            a.evict(deviceId);
        }
    }

    /**
     * @return the client ids of the connected sessions (secure broker only: an open broker, or one not started, answers
     *         empty); what a gateway's push relay is measured by: one session per gateway, not per device
     */
    public List<String> connectedClients() {
        AccessExtension a;
        synchronized (this) {
            a = access;
        }
        return a == null ? List.of() : a.connectedClients();
    }

    /** @return the bound port (after start) */
    public int port() {
        return port;
    }

    @Override
    public synchronized void close() {
        if (hivemq != null) {
            stopQuietly();
        }
    }

}
