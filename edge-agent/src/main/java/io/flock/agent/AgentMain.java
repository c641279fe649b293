package io.flock.agent;

import io.flock.agent.link.WireTap;
import io.flock.agent.security.DeviceCredentials;
import io.flock.core.FlockException;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The edge agent daemon's entry point: resolves {@link AgentConfig} from defaults, an optional YAML
 * file, {@code FLOCK_*} environment variables and {@code --set} flags (in that order), starts an
 * {@link EdgeAgent}, prints where its local API and metrics listen, and runs until SIGTERM/SIGINT,
 * when a shutdown hook closes the agent (ordered, and bounded by {@link #CLOSE_BOUND}).
 */
@Command(name = "flock-agent", mixinStandardHelpOptions = true, version = "flock-agent 0.1.0",
        description = "Run a Flock edge agent daemon: verified model push, local predictions with offload, private training.")
public final class AgentMain implements Callable<Integer> {
    /** The longest the shutdown hook waits for the agent to close before the JVM exits anyway. */
    static final Duration CLOSE_BOUND = Duration.ofSeconds(20);
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Option(names = "--config", description = "YAML config file (see deploy/config/agent.yaml)")
    Path config;

    @Option(names = {"-s", "--set"}, description = "override a key: --set device-id=gw-017 (repeatable)")
    Map<String, String> set = new LinkedHashMap<>();

    /** Runs the daemon; exits non-zero on a configuration or start error. */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "flock-agent-logback.xml"); // before the first logger
        }
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Parses the arguments and runs the agent until the JVM shuts down.
     *
     * @return 0 after a shutdown or {@code --help}; 2 with a one-line {@code flock: message} on stderr for
     *         a bad configuration or a start the agent refused; picocli's codes for bad arguments
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new AgentMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof FlockException) {
                cmd.getErr().println("flock: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = settings();
        AgentConfig resolved = AgentConfig.from(settings);
        if (resolved.publicKeyFile() == null) {
            throw new ConfigException("public-key must name the coordinator's signing-key.pub");
        }
        EdgeAgent agent = new EdgeAgent(resolved, verifier(resolved.publicKeyFile()), WireTap.NONE, DeviceConditions.REAL, null,
                credentials(settings, resolved));
        try {
            agent.start();
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(agent), "flock-agent-shutdown"));
        System.out.printf("agent %s: local predictions on %s, metrics %s%n", resolved.deviceId(),
                agent.localApiPort() < 0 ? "off" : "127.0.0.1:" + agent.localApiPort(),
                agent.metricsPort() < 0 ? "off" : "http://127.0.0.1:" + agent.metricsPort() + "/metrics");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * @return the device's identity from the security.* keys: its key, certificate and the CA named by ca-file (kept in
     *         state-dir/identity), or null with security.mode=insecure
     */
    static DeviceCredentials credentials(Settings s, AgentConfig c) throws IOException {
        String mode = s.string("security.mode");
        if (mode.equals("insecure")) {
            LoggerFactory.getLogger(AgentMain.class).warn("device={} runs INSECURE (security.mode=insecure): plaintext, no identity",
                    c.deviceId());
            return null;
        }
        if (!mode.equals("mtls")) {
            throw new ConfigException("security.mode must be mtls or insecure, got '" + mode + "'");
        }
        if (!c.mqttUrl().startsWith("ssl://")) {
            LoggerFactory.getLogger(AgentMain.class).warn("device={} uses a plaintext MQTT broker ({}): anyone on the network reads its"
                    + " tasks and announcements; use ssl:// with a broker that authenticates devices", c.deviceId(), c.mqttUrl());
        }
        return DeviceCredentials.load(c.deviceId(), c.stateDir().resolve("identity"), s.path("ca-file"));
    }

    private Settings settings() {
        if (config != null && !Files.exists(config)) {
            throw new ConfigException("config file " + config + " does not exist");
        }
        return Settings.resolve(AgentConfig.defaults(), config, System.getenv(), set);
    }

    private static ArtifactVerifier verifier(Path publicKey) {
        try {
            return ArtifactVerifier.fromFile(publicKey);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("public-key " + publicKey + " cannot be read as the coordinator's key: " + e);
        }
    }

    /** The shutdown hook: closes the agent on another thread and waits at most {@link #CLOSE_BOUND}. */
    private void stop(EdgeAgent agent) {
        var log = LoggerFactory.getLogger(AgentMain.class);
        log.info("device={} stopping", agent.config().deviceId());
        Thread closer = new Thread(agent::close, "flock-agent-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("device={} did not close within {} s; exiting anyway", agent.config().deviceId(), CLOSE_BOUND.toSeconds());
        } else {
            log.info("device={} stopped", agent.config().deviceId());
        }
        stopped.countDown();
    }
}
