package io.flock.simulator.fleetops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.cli.RolloutCli;
import io.flock.coordinator.dashboard.HeadlessChromium;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.rollout.Rollout;
import io.flock.coordinator.rollout.RolloutStatus;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.net.FreePorts;
import io.flock.core.partition.IidPartitioner;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.Telemetry;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.fleet.LocalFleet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet operations end to end on real parts: a coordinator with its embedded broker and 12 real agents that trained two
 * rounds and answer predictions with feedback each window. Rollouts go through bin/flock rollout (the Admin gRPC
 * service): a bad candidate is rolled back at its first health window and never runs beyond its cohort; a good one
 * reaches every device; a second rollout while one runs is refused; a coordinator restarted mid-rollout resumes at the
 * same stage and the cohort keeps the candidate; an abort returns it. A device that lies about its version is refused.
 * The dashboard of the running coordinator shows it all in headless Chromium (target/dashboard-fleet.png).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class FleetOpsIT {
    private static final int DEVICES = 12;
    private static final String MODEL = "fleetops-it";
    private static final long WINDOW_MS = 1000;
    @TempDir
    static Path dir;
    private LocalFleet fleet;
    private CoordinatorServer coordinator;
    private List<DriftingData> seen;
    private ByteDataset train;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final DriftSwitch off = new DriftSwitch();

    @BeforeAll
    void fleet() throws Exception {
        Path data = BundledData.subset();
        train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        int[][] parts = new IidPartitioner().partition(train.labels(), DEVICES, new Random(0));
        List<ByteDataset> partitions = new ArrayList<>();
        seen = new ArrayList<>();
        for (int[] p : parts) {
            ByteDataset part = train.subset(java.util.Arrays.copyOf(p, 300));
            partitions.add(part);
            seen.add(new DriftingData(part, null, off, 10, 0));
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data-dir", dir.resolve("c").toString());
        f.put("grpc.port", String.valueOf(FreePorts.restartable())); // the same after the restart: agents come back to it
        f.put("mqtt.embedded-port", String.valueOf(FreePorts.restartable()));
        f.put("metrics.port", "0");
        f.put("http.port", "-1");
        f.put("security.mode", "insecure");
        f.put("model.name", MODEL);
        f.put("model.spec", "mlp:784-64-10");
        f.put("round.devices", String.valueOf(DEVICES));
        f.put("round.min-results", String.valueOf(DEVICES));
        f.put("training.learning-rate", "0.05");
        f.put("eval.data-dir", data.toString());
        f.put("schedule.mode", "manual");
        f.put("monitor.window", WINDOW_MS + "ms");
        f.put("rollout.health-window", WINDOW_MS + "ms");
        f.put("rollout.min-answers", "40");
        f.put("rollout.min-feedback", "20");
        f.put("rollout.soak", "1s");
        fleet = new LocalFleet(dir.resolve("fleet"), io.flock.agent.link.WireTap.NONE,
                (id, c) -> c.withLocalApiPort(-1).withTelemetryInterval(Duration.ofMillis(WINDOW_MS / 4)));
        coordinator = fleet.startCoordinator(CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), f)));
        fleet.startAgents(partitions, coordinator.mqttUrl(), coordinator.port());
        fleet.awaitReady(1, Duration.ofSeconds(60));
        for (int r = 0; r < 2; r++) {
            coordinator.rounds().runRound();
        }
        long v = production().version();
        LocalFleet.awaitVersion(fleet.agents(), v, Duration.ofSeconds(30));
    }

    @AfterAll
    void close() {
        pool.shutdownNow();
        if (fleet != null) {
            fleet.close();
        }
    }

    private ModelVersion production() {
        return coordinator.registry().requireCurrent(MODEL);
    }

    private String cli(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        List<String> all = new ArrayList<>(List.of("--coordinator", "127.0.0.1:" + coordinator.port(), "--insecure"));
        all.addAll(List.of(args));
        int code;
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            code = RolloutCli.run(all.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertThat(code).as("exit of rollout %s: %s %s", String.join(" ", args), out, err).isEqualTo(expectedExit);
        return out + err.toString();
    }

    /** Serves windows (every device answers 30 predictions, all with feedback) until the rollout ends or windows run out. */
    private int serveUntilEnded(long rolloutId, int windows) throws Exception {
        for (int w = 1; w <= windows; w++) {
            long start = System.currentTimeMillis();
            ServingWindow.serve(fleet.agents(), seen, 30, 1.0, w, pool);
            Rollout r = coordinator.rollouts().latest().orElseThrow();
            if (r.id() == rolloutId && !r.status().active()) {
                return w;
            }
            Thread.sleep(Math.max(0, WINDOW_MS - (System.currentTimeMillis() - start)));
        }
        return -1;
    }

    private long candidate(boolean good) {
        return coordinator.publishCandidate(Candidates.make(good, coordinator.config().model().spec(), FeaturePipeline.parse("scale:255"),
                coordinator.registry().globalParameters(production()), train, 7)).version();
    }

    private long runningCandidate(long version) {
        return fleet.agents().stream().filter(a -> a.localModel().version() == version).count();
    }

    @Test
    @Order(1)
    void aBadCandidate_isRolledBackAtItsFirstHealthWindow_andNeverRunsBeyondItsCohort() throws Exception {
        long before = production().version();
        long bad = candidate(false);
        String started = cli(0, "start", MODEL, String.valueOf(bad), "--stages", "34,100", "--soak", "30", "--reason", "label-flipped on purpose");
        assertThat(started).contains("RUNNING at stage 1/2");
        long id = coordinator.rollouts().latest().orElseThrow().id();
        int cohort = coordinator.rollouts().canaryDevices();
        assertThat(cohort).isBetween(1, DEVICES - 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> runningCandidate(bad) == cohort);
        assertThat(cli(2, "start", MODEL, String.valueOf(candidate(true)))).as("two rollouts of one model").contains("FAILED_PRECONDITION")
                .contains("abort it or let it finish");
        int windows = serveUntilEnded(id, 6);
        assertThat(windows).as("windows until it ended").isBetween(1, 2);
        Rollout r = coordinator.rollouts().latest().orElseThrow();
        assertThat(r.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(r.lastDecision()).contains("feedback-accuracy").contains("FAILED");
        await().atMost(Duration.ofSeconds(20)).until(() -> runningCandidate(bad) == 0);
        assertThat(production().version()).isEqualTo(before);
        assertThat(cli(0, "status", MODEL)).contains("ROLLED_BACK").contains("automatic rollback");
        assertThat(cli(0, "events", MODEL, "--limit", "5")).contains("rollback");
    }

    @Test
    @Order(2)
    void aDeviceThatLiesAboutItsVersion_isRefused() throws Exception {
        Rollout rolledBack = coordinator.rollouts().latest().orElseThrow();
        long bad = rolledBack.version();
        String device = fleet.agents().stream().map(a -> a.config().deviceId())
                .filter(d -> !io.flock.link.wire.Cohorts.contains(rolledBack.cohort(), d, Map.of("hardware", "jvm-sim"))).findFirst().orElseThrow();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", coordinator.port()).usePlaintext().build();
        try {
            var stub = CoordinatorGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            int stored = coordinator.store().telemetry(device, 1000).size();
            assertThatThrownBy(() -> stub.reportTelemetry(Telemetry.newBuilder().setDeviceId(device).setModel(MODEL).setRunningVersion(bad)
                    .setUnixMs(System.currentTimeMillis()).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("was not in its cohort");
            assertThatThrownBy(() -> stub.sendHeartbeat(Heartbeat.newBuilder().setDeviceId(device).setModel(MODEL)
                    .setRunningVersion(production().version()).setRunningSha256("00".repeat(32)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("not that version's artifact");
            assertThatThrownBy(() -> stub.reportTelemetry(Telemetry.newBuilder().setDeviceId(device).setModel(MODEL)
                    .setRunningVersion(production().version()).setUnixMs(System.currentTimeMillis() + 3_600_000).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("from the future");
            assertThat(coordinator.store().telemetry(device, 1000)).as("nothing stored").hasSize(stored);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(3)
    void aGoodCandidate_reachesEveryDevice() throws Exception {
        long good = candidate(true);
        cli(0, "start", MODEL, String.valueOf(good), "--stages", "34,100", "--soak", "1");
        long id = coordinator.rollouts().latest().orElseThrow().id();
        assertThat(serveUntilEnded(id, 20)).as("windows until it completed").isPositive();
        assertThat(coordinator.rollouts().latest().orElseThrow().status()).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(production().version()).isEqualTo(good);
        await().atMost(Duration.ofSeconds(20)).until(() -> runningCandidate(good) == DEVICES);
    }

    @Test
    @Order(4)
    void aRestartedCoordinator_resumesTheRolloutAtItsStage_andAnAbortReturnsTheCohort() throws Exception {
        long production = production().version();
        long next = candidate(true);
        cli(0, "start", MODEL, String.valueOf(next), "--stages", "34,100", "--soak", "600");
        Rollout before = coordinator.rollouts().latest().orElseThrow();
        int cohort = coordinator.rollouts().canaryDevices();
        await().atMost(Duration.ofSeconds(20)).until(() -> runningCandidate(next) == cohort);
        coordinator = fleet.restartCoordinator();
        Rollout after = coordinator.rollouts().latest().orElseThrow();
        assertThat(after).isEqualTo(before);
        assertThat(coordinator.rollouts().canaryDevices()).isEqualTo(cohort);
        fleet.awaitReady(1, Duration.ofSeconds(60));
        Thread.sleep(2000);
        assertThat(runningCandidate(next)).as("the cohort keeps the candidate across the restart").isEqualTo(cohort);
        assertThat(cli(0, "pause", MODEL, "--reason", "checking")).contains("PAUSED");
        assertThat(cli(2, "pause", MODEL)).contains("FAILED_PRECONDITION");
        assertThat(cli(0, "abort", MODEL, "--reason", "not today")).contains("ABORTED");
        await().atMost(Duration.ofSeconds(20)).until(() -> runningCandidate(next) == 0);
        assertThat(production().version()).isEqualTo(production);
        assertThat(cli(2, "start", MODEL, "9999")).contains("NOT_FOUND");
    }

    @Test
    @Order(5)
    void theDashboardOfTheRunningCoordinator_showsTheFleet() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require(Duration.ofSeconds(60));
        ServingWindow.serve(fleet.agents(), seen, 10, 1.0, 99, pool);
        Thread.sleep(2 * WINDOW_MS); // a telemetry window reaches the coordinator
        URI url = URI.create(coordinator.dashboardUrl().orElseThrow());
        String dom = chromium.dumpDom(url);
        assertThat(byId(dom, "fleet-registered")).isEqualTo(String.valueOf(DEVICES));
        assertThat(byId(dom, "fleet-production")).isEqualTo("v" + production().version());
        assertThat(byId(dom, "rollout-status")).isEqualTo("ABORTED");
        assertThat(byId(dom, "round-last")).isEqualTo("#2");
        assertThat(dom).contains("data-charts=\"drawn\"");
        Path png = Path.of("target", "dashboard-fleet.png");
        chromium.screenshot(url, png, 1400, 1800);
        assertThat(Files.size(png)).isGreaterThan(10_000);
    }

    private static String byId(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\">([^<]*)<").matcher(dom);
        assertThat(m.find()).as("an element with id %s in the DOM", id).isTrue();
        return m.group(1);
    }
}
