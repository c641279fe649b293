package io.flock.simulator.fleet;

import io.flock.agent.AgentConfig;
import io.flock.agent.DeviceConditions;
import io.flock.agent.EdgeAgent;
import io.flock.agent.gateway.DeviceGateway;
import io.flock.agent.link.WireTap;
import io.flock.agent.security.DeviceCredentials;
import io.flock.agent.training.UpdateTamper;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.DaemonThreads;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.data.ByteDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator and a fleet of real edge agents in this JVM, each agent with its own MQTT session,
 * gRPC channel, state directory and private data directory. Used by the demo, the simulator and
 * integration tests, so the wiring exists once. Close stops agents, then the coordinator.
 */
public final class LocalFleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalFleet.class);
    /** Threads for the training work of all gateway devices: enough to overlap emulated link and compute delays. */
    private static final int GATEWAY_WORKERS = 32;
    private final Path workDir;
    private final WireTap tap;
    private final BiFunction<String, AgentConfig, AgentConfig> agentTweak;
    private CoordinatorServer coordinator;
    private final List<EdgeAgent> agents = new ArrayList<>();
    private String devicePrefix = "d-";
    private int devicesPerGateway;
    private boolean preAggregate;
    private java.util.function.IntFunction<String> hardware = i -> "jvm-sim";
    private final List<DeviceGateway> gateways = new ArrayList<>();
    private ScheduledExecutorService gatewayTimers;
    private ExecutorService gatewayWorkers;

    /**
     * @param workDir    where device data and state go
     * @param tap        sees every payload on every agent's transports
     * @param agentTweak adjusts each agent's default config (device id, config) before it starts
     */
    public LocalFleet(Path workDir, WireTap tap, BiFunction<String, AgentConfig, AgentConfig> agentTweak) {
        this.workDir = workDir;
        this.tap = tap;
        this.agentTweak = agentTweak;
    }

    /**
     * Sets the hardware label of the agents started from now on (default "jvm-sim"), by their index in the fleet: what
     * rollout and drift cohorts select on.
     */
    public LocalFleet hardware(java.util.function.IntFunction<String> labels) {
        this.hardware = labels;
        return this;
    }

    /** Sets the device id prefix (default "d-"), e.g. to keep runs apart on a shared broker. */
    public LocalFleet devicePrefix(String prefix) {
        this.devicePrefix = prefix;
        return this;
    }

    /**
     * Puts agents started from now on behind gateways: every {@code devicesPerGateway} devices share
     * one MQTT session and one gRPC connection, and all share a small scheduler and worker pool, so a
     * device costs no socket and no thread of its own (for fleets of 10,000+).
     */
    public LocalFleet gateways(int devicesPerGateway) {
        if (devicesPerGateway < 1) {
            throw new IllegalArgumentException("devicesPerGateway must be >= 1, got " + devicesPerGateway);
        }
        this.devicesPerGateway = devicesPerGateway;
        return this;
    }

    /**
     * Makes the gateways started from now on pre-aggregate their devices' plain updates (tiered aggregation): one upload
     * per gateway and round, 2 s before the tasks' deadline at the latest.
     */
    public LocalFleet preAggregate(boolean on) {
        this.preAggregate = on;
        return this;
    }

    private DeviceGateway gatewayFor(int agentIndex, String mqttUrl, int grpcPort, String token) throws IOException {
        if (devicesPerGateway == 0) {
            return null;
        }
        if (gatewayTimers == null) {
            gatewayTimers = Executors.newScheduledThreadPool(2, DaemonThreads.named("flock-gateway-timers"));
            gatewayWorkers = Executors.newFixedThreadPool(GATEWAY_WORKERS, DaemonThreads.named("flock-gateway-worker"));
        }
        int g = agentIndex / devicesPerGateway;
        while (gateways.size() <= g) {
            String id = devicePrefix + "gw-" + String.format("%03d", gateways.size() + 1);
            DeviceGateway gateway = new DeviceGateway(id, credentials(id, identities().resolve(id)), mqttUrl,
                    "127.0.0.1:" + grpcPort, tap, gatewayTimers, gatewayWorkers);
            gateway.enroll("jvm-sim-gateway", token, Duration.ofSeconds(30)); // before any of its devices uses its connections
            if (preAggregate) {
                gateway.preAggregate(new ArtifactVerifier(coordinator.publicKey()), Duration.ofSeconds(2));
            }
            gateways.add(gateway);
        }
        return gateways.get(g);
    }

    /** Starts the coordinator. */
    public CoordinatorServer startCoordinator(CoordinatorConfig config) throws IOException {
        coordinator = new CoordinatorServer(config).start();
        return coordinator;
    }

    /** Replaces the running coordinator by a new one on the same configuration and database. */
    public CoordinatorServer restartCoordinator() throws IOException {
        CoordinatorConfig config = coordinator.config();
        coordinator.close();
        coordinator = new CoordinatorServer(config).start();
        return coordinator;
    }

    /** Stops the coordinator without starting another (to simulate a vanished cloud). */
    public void stopCoordinator() {
        coordinator.close();
    }

    /**
     * Starts one agent per partition, ids d-001, d-002, ... (a null partition: an agent without data)
     *
     * @param grpcPort coordinator gRPC port the agents dial (fixed across coordinator restarts)
     */
    public List<EdgeAgent> startAgents(List<ByteDataset> partitions, String mqttUrl, int grpcPort) throws IOException {
        return startAgents(partitions, mqttUrl, grpcPort, i -> DeviceConditions.REAL);
    }

    /**
     * Starts one agent per partition with emulated conditions.
     *
     * @param conditions conditions of the i-th new agent (0-based)
     */
    public List<EdgeAgent> startAgents(List<ByteDataset> partitions, String mqttUrl, int grpcPort,
                                       IntFunction<DeviceConditions> conditions) throws IOException {
        return startAgents(partitions, mqttUrl, grpcPort, conditions, i -> UpdateTamper.NONE);
    }

    /**
     * Starts one agent per partition with emulated conditions, some of them byzantine.
     *
     * @param conditions conditions of the i-th new agent (0-based)
     * @param tampers    the i-th new agent's test-only update tamper ({@link UpdateTamper#NONE} for an honest one)
     */
    public List<EdgeAgent> startAgents(List<ByteDataset> partitions, String mqttUrl, int grpcPort,
                                       IntFunction<DeviceConditions> conditions, IntFunction<UpdateTamper> tampers) throws IOException {
        ArtifactVerifier verifier = new ArtifactVerifier(coordinator.publicKey());
        String token = enrollmentToken(partitions.size());
        List<EdgeAgent> created = new ArrayList<>();
        // every 30 s, but at most ~500 reports a second from the whole fleet: the shared timers make the calls, and at
        // 100,000 devices every 30 s they had no time left for the devices' uploads (fleet-100k's first rounds got none)
        Duration telemetry = Duration.ofSeconds(Math.max(30, partitions.size() / 500));
        for (int i = 0; i < partitions.size(); i++) {
            String id = devicePrefix + String.format("%03d", agents.size() + created.size() + 1);
            Path home = workDir.resolve("devices").resolve(id);
            Path data = partitions.get(i) == null ? null : DeviceData.write(partitions.get(i), home.resolve("data"));
            int index = agents.size() + created.size();
            AgentConfig base = new AgentConfig(id, hardware.apply(index), "127.0.0.1:" + grpcPort, mqttUrl, coordinator.config().model().name(),
                    data, home.resolve("state"), null, 0, null, Duration.ofMillis(300), Duration.ofSeconds(2), false, token,
                    telemetry, i);
            DeviceGateway gateway = gatewayFor(index, mqttUrl, grpcPort, token);
            AgentConfig config = agentTweak.apply(id, base);
            created.add(new EdgeAgent(config, verifier, tap, conditions.apply(i), gateway,
                    gateway == null ? credentials(id, identities().resolve(id)) : null, tampers.apply(i)));
        }
        startAll(acrossGateways(created));
        agents.addAll(created);
        log.info("started {} agents", created.size());
        return agents;
    }

    /**
     * @return a token enrolling {@code devices} devices and their gateways, made by the coordinator as an operator would
     *         (bin/flock enroll-token); "" when the coordinator runs insecure
     */
    private String enrollmentToken(int devices) {
        return coordinator.security().map(s -> s.enrollment().createToken(devices + (devicesPerGateway == 0 ? 0
                : devices / devicesPerGateway + 2), Duration.ofHours(6)).value()).orElse("");
    }

    /**
     * @return where devices keep their identities: beside the coordinator's data directory, so the same device ids
     *         against the same coordinator (a second fleet on its database, as the demo starts) are the same enrolled
     *         devices
     */
    private Path identities() {
        return coordinator.config().dataDir().toAbsolutePath().resolveSibling("device-identities");
    }

    /** @return the identity a device of this fleet keeps (to start it again by hand); null when the coordinator runs insecure */
    public DeviceCredentials identity(String deviceId) {
        return credentials(deviceId, identities().resolve(deviceId));
    }

    /** @return a device's (or gateway's) own identity with the coordinator's CA, kept in {@code dir}; null when it runs insecure */
    private DeviceCredentials credentials(String id, Path dir) {
        if (coordinator.security().isEmpty()) {
            return null;
        }
        try {
            return DeviceCredentials.of(id, dir, coordinator.security().get().authority().certificate());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Waits until every agent runs at least {@code version} and the coordinator sees them all online.
     *
     * @throws IllegalStateException naming how many were ready when time ran out
     */
    public void awaitReady(long version, Duration timeout) throws InterruptedException {
        awaitVersion(agents, version, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (coordinator.devices().available().size() < agents.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(coordinator.devices().available().size() + " of " + agents.size()
                        + " agents are online after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits until every given agent runs at least {@code version}.
     *
     * @return seconds waited
     * @throws IllegalStateException naming how many were ready when time ran out
     */
    public static double awaitVersion(List<EdgeAgent> which, long version, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (which.stream().anyMatch(a -> a.localModel().version() < version)) {
            if (System.nanoTime() > deadline) {
                long loaded = which.stream().filter(a -> a.localModel().version() >= version).count();
                throw new IllegalStateException(loaded + " of " + which.size() + " agents run version " + version + " after " + timeout);
            }
            Thread.sleep(10);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * @return the agents in an order that takes one device of each gateway in turn: a gateway seats its devices one at a
     *         time (a subscribe and a QoS 1 publish under its lock), so parallel starts of one gateway's devices queue (the
     *         first 7,000 of fleet-100k's devices took 2 minutes that way)
     */
    private List<EdgeAgent> acrossGateways(List<EdgeAgent> created) {
        if (devicesPerGateway <= 1 || created.size() <= devicesPerGateway) {
            return created;
        }
        List<EdgeAgent> order = new ArrayList<>(created.size());
        for (int seat = 0; seat < devicesPerGateway; seat++) {
            for (int i = seat; i < created.size(); i += devicesPerGateway) {
                order.add(created.get(i));
            }
        }
        return order;
    }

    /** Starts agents in parallel: each start is mostly waiting on a TCP and MQTT handshake. */
    private static void startAll(List<EdgeAgent> created) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, Math.max(1, created.size())));
        try {
            List<Future<EdgeAgent>> started = new ArrayList<>();
            for (EdgeAgent a : created) {
                started.add(pool.submit(a::start));
            }
            for (Future<EdgeAgent> f : started) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("an agent failed to start: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting agents", e);
        } finally {
            pool.shutdown();
        }
    }

    /** @return the running coordinator */
    public CoordinatorServer coordinator() {
        return coordinator;
    }

    /** @return the agents in start order */
    public List<EdgeAgent> agents() {
        return agents;
    }

    /** @return MQTT and gRPC payload bytes all agents (and their gateways' shared sessions) received so far */
    public long bytesDown() {
        return agents.stream().mapToLong(a -> a.traffic().bytesIn()).sum()
                + gateways.stream().mapToLong(g -> g.mqttTraffic().bytesIn()).sum();
    }

    /** @return MQTT and gRPC payload bytes all agents (and their gateways' shared sessions) sent so far */
    public long bytesUp() {
        return agents.stream().mapToLong(a -> a.traffic().bytesOut()).sum()
                + gateways.stream().mapToLong(g -> g.mqttTraffic().bytesOut()).sum();
    }

    @Override
    public void close() {
        agents.parallelStream().forEach(EdgeAgent::close);
        gateways.forEach(DeviceGateway::close);
        if (gatewayTimers != null) {
            gatewayTimers.shutdownNow();
            gatewayWorkers.shutdownNow();
        }
        if (coordinator != null) {
            coordinator.close();
        }
    }
}
