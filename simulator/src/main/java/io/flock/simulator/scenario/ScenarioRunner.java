package io.flock.simulator.scenario;

import io.flock.agent.AgentConfig;
import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.agent.training.UpdateTamper;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.mqtt.Broker;
import io.flock.coordinator.mqtt.EmbeddedBroker;
import io.flock.coordinator.mqtt.security.BrokerSecurity;
import io.flock.coordinator.mqtt.security.DeviceDirectory;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.security.CertificateAuthority;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.net.FreePorts;
import io.flock.core.tensor.ModelParameters;
import io.flock.simulator.fleet.Attacks;
import io.flock.simulator.fleet.BrokerProcess;
import io.flock.simulator.fleet.LocalFleet;
import io.flock.simulator.fleet.ProfileConditions;
import io.flock.simulator.fleetops.DriftSpec;
import io.flock.simulator.fleetops.DriftSwitch;
import io.flock.simulator.fleetops.DriftTamper;
import io.flock.simulator.fleetops.FleetOpsSpec;
import io.flock.simulator.report.Megabytes;
import io.flock.simulator.report.ProcessMemory;
import io.flock.simulator.report.RoundRow;
import io.flock.simulator.report.RunReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a scenario on real parts: an embedded broker this runner owns (so it can restart it), in this JVM or its own, a real
 * coordinator on H2, and one real agent per device with its profile's conditions. Each round: apply
 * availability, inject the round's faults, run the round, wait for the push, record a report row and
 * print a progress line. Close stops everything.
 */
public final class ScenarioRunner implements AutoCloseable {
    private final ScenarioConfig scenario;
    private final Path work;
    private final PrintStream out;
    private final LocalFleet fleet;
    private final List<ProfileConditions> conditions = new ArrayList<>();
    private final List<Map<String, Object>> faultLog = new ArrayList<>();
    private final boolean[] gone;
    private final Map<String, String> overrides;
    private Broker broker;
    private int brokerPort;
    private Attackers attackers = new Attackers(List.of(), List.of());
    private final DriftSwitch drift = new DriftSwitch();
    /** How often devices report telemetry; null = the agents' default (a fleetops run: four times a window). */
    private volatile Duration telemetry;
    private List<DeviceProfile> assigned = List.of();
    private SecureSumCheck secureSums;

    /**
     * @param work       scratch directory (database, device data and state)
     * @param tap        sees every device payload
     * @param localApi   whether each agent opens its local prediction API
     * @param overrides  coordinator settings applied over those the scenario implies
     */
    public ScenarioRunner(ScenarioConfig scenario, Path work, PrintStream out, WireTap tap, boolean localApi,
                          Map<String, String> overrides) {
        this.scenario = scenario;
        this.overrides = overrides;
        this.work = work;
        this.out = out;
        FleetOpsSpec ops = scenario.fleetOps();
        // a fleetops run's devices report four times a telemetry window, so every window the coordinator judges is full
        this.telemetry = ops == null ? null : ops.window().dividedBy(4);
        this.fleet = new LocalFleet(work, tap, (id, c) -> {
            AgentConfig a = (localApi ? c : c.withLocalApiPort(-1)).withFetchOnDemand(scenario.pushOnDemand());
            return telemetry == null ? a : a.withTelemetryInterval(telemetry);
        });
        if (scenario.transport() != ScenarioConfig.Transport.DEDICATED) {
            fleet.gateways(scenario.devicesPerGateway());
            fleet.preAggregate(scenario.transport() == ScenarioConfig.Transport.TIERED);
        }
        this.gone = new boolean[scenario.devices()];
    }

    /**
     * Sets how often the agents started later report telemetry (the demo: often, so its dashboard fills). Call before
     * {@link #start}.
     *
     * @return this runner
     */
    public ScenarioRunner telemetryEvery(Duration every) {
        this.telemetry = every;
        return this;
    }

    /** Starts broker, coordinator and agents; returns the coordinator. */
    public CoordinatorServer start(List<ByteDataset> partitions, Path evalData) throws IOException, InterruptedException {
        brokerPort = FreePorts.restartable();
        broker = newBroker();
        broker.start();
        CoordinatorServer coordinator = fleet.startCoordinator(coordinatorConfig(evalData));
        secureSums = coordinator.config().strategy().plan().secure() ? new SecureSumCheck() : null;
        assigned = ProfileAssignment.assign(scenario.profiles(), scenario.devices(), scenario.seed());
        for (int i = 0; i < scenario.devices(); i++) {
            conditions.add(new ProfileConditions(assigned.get(i), scenario.seed() * 1_000_003L + i));
        }
        if (scenario.fleetOps() != null) {
            fleet.hardware(i -> assigned.get(i).name()); // cohorts by profile: hardware=NAME
        }
        fleet.startAgents(partitions, broker.url(), coordinator.port(), conditions::get, this::tamper);
        attackers = new Attackers(fleet.agents().stream().map(a -> a.config().deviceId()).toList(), assigned);
        if (attackers.any()) {
            out.println(attackers.line());
        }
        fleet.awaitReady(1, Duration.ofSeconds(60 + scenario.devices() / 10));
        return coordinator;
    }

    /**
     * @return device i's test-only tamper: its profile's attack, inside the world of the injected drift when it hits it,
     *         recorded for the secure-sum check in a secure run
     */
    private UpdateTamper tamper(int i) {
        UpdateTamper attack = Attacks.tamper(assigned.get(i).attack(), scenario.model().classes(), scenario.seed(),
                scenario.seed() * 1_000_003L + i);
        DriftSpec d = scenario.fleetOps() == null ? null : scenario.fleetOps().drift();
        UpdateTamper t = d != null && drifted(i) ? new DriftTamper(attack, d, drift, scenario.model().classes(),
                scenario.seed() * 1_000_003L + i) : attack;
        return secureSums == null ? t : secureSums.wrap(i, t);
    }

    /** @return the secure-sum check's rounds, null when the run is not secure */
    List<Map<String, Object>> secureSums() {
        return secureSums == null ? null : secureSums.section();
    }

    /** @return whether the scenario's drift hits device i */
    boolean drifted(int i) {
        DriftSpec d = scenario.fleetOps() == null ? null : scenario.fleetOps().drift();
        return d != null && d.hits(i, scenario.seed(), assigned.get(i).name());
    }

    /** @return the switch of the scenario's drift */
    DriftSwitch driftSwitch() {
        return drift;
    }

    private CoordinatorConfig coordinatorConfig(Path evalData) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data-dir", coordinatorDataDir().toString());
        f.put("grpc.port", String.valueOf(FreePorts.restartable()));
        f.put("mqtt.url", broker.url());
        f.put("model.spec", scenario.model().toString());
        f.put("model.pipeline", scenario.pipeline());
        f.put("push.codec", scenario.pushCodec());
        f.put("update.codec", scenario.updateCodec());
        f.put("push.mode", scenario.pushOnDemand() ? "announce" : "broadcast");
        f.put("round.devices", String.valueOf(scenario.devicesPerRound()));
        f.put("round.min-results", String.valueOf(scenario.minResults()));
        f.put("round.timeout", scenario.roundTimeout().toMillis() + "ms");
        f.put("training.learning-rate", String.valueOf(scenario.training().learningRate()));
        f.put("training.batch-size", String.valueOf(scenario.training().batchSize()));
        f.put("training.local-epochs", String.valueOf(scenario.training().epochs()));
        f.put("eval.data-dir", evalData == null ? "" : evalData.toString());
        f.put("seed", String.valueOf(scenario.seed()));
        f.put("metrics.port", "-1");
        f.put("http.port", "-1");
        if (scenario.fleetOps() != null) {
            String window = scenario.fleetOps().window().toMillis() + "ms";
            f.put("monitor.window", window);
            f.put("rollout.health-window", window);
            f.put("schedule.mode", "manual"); // retraining triggers queue rounds on it
        }
        f.putAll(scenario.coordinator());
        f.putAll(overrides);
        return CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), f));
    }

    /**
     * Runs every round into the report. A round's row goes in when the coordinator has scored its version, which
     * happens while the next round runs; the last one is waited for.
     */
    public void runRounds(RunReport report) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Void> previousRow = CompletableFuture.completedFuture(null);
        for (int r = 1; r <= scenario.rounds(); r++) {
            applyAvailability(r);
            awaitCoordinatorSeesAvailability(r);
            long down = fleet.bytesDown();
            long up = fleet.bytesUp();
            ModelParameters base = secureSums == null ? null : parameters(coordinator().registry().requireCurrent(model()).version());
            RoundResult result = new FaultInjector(this).runRound(r);
            double elapsedAtVersion = (System.nanoTime() - start) / 1e9;
            String checked = base == null || result.accepted() == 0 ? "" : String.format("  secure-sum error %.1e", secureSums.check(
                    result.round(), indices(result.devices()), assigned.stream().map(DeviceProfile::secureDrop).toList(), result.accepted(),
                    base, parameters(result.version()), coordinator().config().strategy().plan().secureRange()));
            // broadcast: the round's bytes include the push, so wait until every online device has it;
            // on-demand devices fetch a version only when a later task needs it
            double pushSeconds = scenario.pushOnDemand() ? 0
                    : LocalFleet.awaitVersion(onlineAgents(), result.version(), Duration.ofSeconds(60));
            long bytesDown = fleet.bytesDown() - down;
            long bytesUp = fleet.bytesUp() - up;
            previousRow.join(); // rows go in in round order, and never while this thread touches the report
            report.selection(result.round(), result.devices());
            int round = r;
            previousRow = result.scores().handle((scores, failure) -> {
                RoundRow row = new RoundRow(result.round(), result.accuracy(), result.loss(), result.seconds(), result.accepted(),
                        result.failures(), bytesDown, bytesUp, result.epsilon(), elapsedAtVersion);
                report.add(row);
                double elapsed = (System.nanoTime() - start) / 1e9;
                String byzantine = attackers.any() ? String.format(" (%d byzantine)", attackers.among(result.devices())) : "";
                String privacy = Double.isFinite(row.epsilon()) ? String.format("  epsilon %.3f", row.epsilon()) : "";
                out.printf("round %3d/%d  accuracy %.4f  %6.2f s (+%.2f s push)  %4d ok%s %3d failed  down %6.2f MB  up %6.2f MB%s%s  elapsed %5.0f s  eta %4.0f s%n",
                        round, scenario.rounds(), row.accuracy(), row.seconds(), pushSeconds, row.participants(), byzantine, row.failures(),
                        Megabytes.of(row.bytesDown()), Megabytes.of(row.bytesUp()), privacy, checked, elapsed,
                        elapsed / round * (scenario.rounds() - round));
                return null;
            });
        }
        previousRow.join();
    }

    private String model() {
        return coordinator().config().model().name();
    }

    /** @return the exact global parameters of a version of the run's model */
    private ModelParameters parameters(long version) {
        return coordinator().registry().globalParameters(coordinator().registry().requireVersion(model(), version));
    }

    /** @return the fleet indices of these device ids */
    private List<Integer> indices(List<String> deviceIds) {
        Map<String, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < fleet.agents().size(); i++) {
            at.put(fleet.agents().get(i).config().deviceId(), i);
        }
        return deviceIds.stream().filter(at::containsKey).map(at::get).toList();
    }

    private void applyAvailability(int round) {
        for (int i = 0; i < scenario.devices(); i++) {
            if (gone[i]) {
                continue;
            }
            double p = conditions.get(i).profile().availability();
            boolean online = p >= 1 || new SplittableRandom(scenario.seed() * 7919 + round * 1_000_003L + i).nextDouble() < p;
            EdgeAgent a = fleet.agents().get(i);
            if (online != a.mqttConnected()) {
                a.setOnline(online);
            }
        }
    }

    /**
     * Status changes reach the coordinator over MQTT a moment after a device goes on- or offline:
     * wait (up to 5 s) until its view matches, so a device that just left is not sent a task that no
     * one will answer until the round's deadline.
     */
    private void awaitCoordinatorSeesAvailability(int round) throws InterruptedException {
        java.util.Set<String> expected = new java.util.HashSet<>();
        onlineAgents().forEach(a -> expected.add(a.config().deviceId()));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!expected.equals(new java.util.HashSet<>(coordinator().devices().available()))) {
            if (System.nanoTime() > deadline) {
                out.printf("round %d: the coordinator's view of who is online still differs from the fleet's after 5 s%n", round);
                return;
            }
            Thread.sleep(5);
        }
    }

    /** @return agents still in the fleet and online */
    List<EdgeAgent> onlineAgents() {
        List<EdgeAgent> out = new ArrayList<>();
        for (int i = 0; i < fleet.agents().size(); i++) {
            if (!gone[i] && fleet.agents().get(i).mqttConnected()) {
                out.add(fleet.agents().get(i));
            }
        }
        return out;
    }

    /** @return the run's byzantine devices (none before {@link #start}) */
    Attackers attackers() {
        return attackers;
    }

    /** @return the coordinator and agents */
    public LocalFleet fleet() {
        return fleet;
    }

    ScenarioConfig scenario() {
        return scenario;
    }

    List<ProfileConditions> conditions() {
        return conditions;
    }

    boolean[] gone() {
        return gone;
    }

    void logFault(Map<String, Object> entry) {
        faultLog.add(entry);
        out.println("fault: " + entry);
    }

    /** @return the injected faults with their recovery times */
    public List<Map<String, Object>> faultLog() {
        return faultLog;
    }

    /** Restarts the broker on the same port, empty; returns seconds until every agent online before it is back. */
    double restartBroker() throws InterruptedException, IOException {
        long t = System.nanoTime();
        List<EdgeAgent> expected = onlineAgents(); // devices offline by availability stay off
        broker.close();
        broker = newBroker();
        broker.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (expected.stream().anyMatch(a -> !a.mqttConnected()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return (System.nanoTime() - t) / 1e9;
    }

    /**
     * @return a new, empty broker on the run's port, where the scenario places it: with mutual TLS and the topic ACL
     *         (the coordinator's CA and certificate, made here before the coordinator starts and loads them) unless the
     *         scenario runs the coordinator insecure
     */
    private Broker newBroker() throws IOException {
        Path home = work.resolve("broker-" + System.nanoTime());
        TlsCredentials tls = null;
        if (secure()) {
            Path caDir = coordinatorDataDir().resolve("keys").resolve("ca");
            tls = CertificateAuthority.loadOrCreate(caDir, Duration.ofDays(7)).coordinatorCredentials(caDir, List.of());
        }
        if (scenario.broker() == ScenarioConfig.BrokerPlacement.OWN_PROCESS) {
            return new BrokerProcess(home, brokerPort, tls);
        }
        return new EmbeddedBroker(home, brokerPort, tls == null ? null : new BrokerSecurity(tls, new DeviceDirectory() {
            @Override
            public boolean admits(String deviceId, String fingerprint) {
                return trust().map(t -> t.admits(deviceId, fingerprint)).orElse(false);
            }

            @Override
            public boolean behind(String gatewayId, String deviceId) {
                return trust().map(t -> t.behind(gatewayId, deviceId)).orElse(false);
            }
        }));
    }

    /** @return the running coordinator's device trust (the in-process broker asks it), empty before it starts */
    private java.util.Optional<io.flock.coordinator.security.DeviceTrust> trust() {
        return fleet.coordinator() == null ? java.util.Optional.empty() : fleet.coordinator().security().map(s -> s.trust());
    }

    /** @return whether the scenario's coordinator runs secure (security.mode, mtls by default) */
    private boolean secure() {
        return !"insecure".equals(coordinatorKey("security.mode", "mtls"));
    }

    /** @return the coordinator's data directory: the run's, unless the scenario or an override names another */
    private Path coordinatorDataDir() {
        return Path.of(coordinatorKey("data-dir", work.resolve("coordinator").toString()));
    }

    private String coordinatorKey(String key, String otherwise) {
        Map<String, String> keys = new LinkedHashMap<>(scenario.coordinator());
        keys.putAll(overrides);
        return keys.getOrDefault(key, otherwise);
    }

    /**
     * @return the report's {@code broker} section: where the broker runs and, in its own process, its resident memory
     *         now and at its peak since it last started (a broker restart starts a new process); a reading /proc cannot
     *         give (the process is gone) is left out rather than written as -1
     */
    public Map<String, Object> brokerMemory() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("placement", scenario.broker().yamlName());
        if (broker instanceof BrokerProcess own) {
            long pid = own.pid();
            m.put("pid", pid);
            long rss = ProcessMemory.rssBytes(pid);
            long peak = ProcessMemory.peakRssBytes(pid);
            if (rss >= 0 && peak >= 0) {
                m.put("rssBytes", rss);
                m.put("peakRssBytes", peak);
            }
        }
        return m;
    }

    /** @return the running coordinator */
    public CoordinatorServer coordinator() {
        return fleet.coordinator();
    }

    @Override
    public void close() {
        fleet.close();
        if (broker != null) {
            broker.close();
        }
    }

}
