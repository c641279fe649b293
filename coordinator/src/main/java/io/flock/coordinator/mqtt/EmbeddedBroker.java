package io.flock.coordinator.mqtt;

import com.hivemq.embedded.EmbeddedHiveMQ;
import io.flock.core.FlockException;
import io.flock.core.net.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded HiveMQ CE MQTT 5 broker on 127.0.0.1, in-memory persistence, no usage statistics.
 * Port 0 picks a free port. Start takes 1-2 s, stop a few seconds.
 */
public final class EmbeddedBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
    private final Path home;
    private final int requestedPort;
    private int port;
    private EmbeddedHiveMQ hivemq;

    /**
     * @param home directory for the broker's config and data (created if absent)
     * @param port TCP port on 127.0.0.1, 0 = any free port
     */
    public EmbeddedBroker(Path home, int port) {
        this.home = home;
        this.requestedPort = port;
    }

    @Override
    public synchronized void start() {
        if (hivemq != null) {
            return;
        }
        try {
            port = requestedPort == 0 ? FreePorts.restartable() : requestedPort;
            Path conf = Files.createDirectories(home.resolve("conf"));
            Files.writeString(conf.resolve("config.xml"), """
                    <?xml version="1.0"?>
                    <hivemq>
                      <listeners>
                        <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
                      </listeners>
                      <persistence><mode>in-memory</mode></persistence>
                      <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                      <general><update-check-enabled>false</update-check-enabled></general>
                    </hivemq>
                    """.formatted(port));
            hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(Files.createDirectories(home.resolve("data")))
                    .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
                    .withoutLoggingBootstrap()
                    .build();
            hivemq.start().get(60, TimeUnit.SECONDS);
            log.info("embedded MQTT broker listening url={}", url());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            hivemq = null;
            throw new FlockException("embedded MQTT broker failed to start on port " + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** @return the bound port (after start) */
    public int port() {
        return port;
    }

    @Override
    public synchronized void close() {
        if (hivemq == null) {
            return;
        }
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
        } catch (Exception e) {
            log.warn("embedded MQTT broker did not stop cleanly: {}", e.toString());
        } finally {
            hivemq = null;
        }
    }

}
