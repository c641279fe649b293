package io.flock.coordinator.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.metrics.FleetMetrics;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.rollout.Announcements;
import io.flock.coordinator.rollout.RolloutConfig;
import io.flock.coordinator.rollout.RolloutController;
import io.flock.coordinator.rollout.TestClock;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.store.TelemetryRow;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.proto.v1.DataStatistics;
import io.flock.proto.v1.ProjectionCounts;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telemetry and heartbeats that cannot be true are refused, stored nowhere and seen by no listener. */
class FleetReportsTest {
    private static final String MODEL = "m";
    private static FleetData data;
    private static HeldOutReference reference;
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private DeviceRegistry devices;
    private RolloutController rollouts;
    private FleetReports reports;
    private final List<DeviceWindow> seen = new CopyOnWriteArrayList<>();
    private final TestClock clock = new TestClock();
    private ModelVersion production;
    private ModelVersion candidate;

    @BeforeAll
    static void load() throws Exception {
        data = new FleetData();
        reference = new HeldOutReference(data.heldOut, FleetData.SPEC, FleetData.PIPELINE);
    }

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        for (int i = 0; i < 100; i++) {
            devices.register("d" + i, "rpi4", "");
        }
        production = registry.promote(MODEL, publish(data.centroids).version(), Stage.PRODUCTION);
        candidate = publish(data.centroids);
        FleetEvents events = new FleetEvents(store, clock);
        rollouts = new RolloutController(MODEL, store, registry, devices, new RolloutConfig(List.of(10.0, 100.0), Duration.ofMinutes(1),
                Duration.ofMinutes(1), new RolloutConfig.Gates(0.02, 0.1, 0.05, 1.5, 0.05, 100, 50)), events, clock, () -> { });
        Announcements announcements = new Announcements(MODEL, registry, devices, 65536, v -> Optional.empty());
        announcements.rollouts(rollouts);
        DriftMonitor monitor = new DriftMonitor(MODEL, MonitorConfig.from(io.flock.core.config.Settings.resolve(defaults(), null, Map.of(),
                Map.of())), reference, v -> reference.statistics(data.centroids), () -> production.version(), devices::labels, store, events,
                new FleetMetrics(new PrometheusRegistry(), MODEL, rollouts::latest), clock);
        reports = new FleetReports(store, devices, registry, Duration.ofDays(1));
        reports.claims(announcements::requireMayRun);
        reports.statistics(s -> monitor.parse(s, 10));
        reports.addListener(seen::add);
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new java.util.LinkedHashMap<>();
        MonitorConfig.defaults(d);
        return d;
    }

    @AfterEach
    void close() {
        rollouts.close();
        store.close();
    }

    private ModelVersion publish(ModelParameters p) {
        return registry.publish(MODEL, Candidate.of(FleetData.SPEC, FleetData.PIPELINE, p, null));
    }

    private static TelemetryRow row(String device, long version, long local, long now) {
        return new TelemetryRow(device, MODEL, now, version, local, 0, 0, 1.5, 3.0, 0, 0);
    }

    private DataStatistics statistics() {
        return DriftMonitorTest.statistics(data.window(reference.edges(), new SplittableRandom(1), 40, FleetData.Drift.NONE));
    }

    private void assertNothingStored(String device) {
        assertThat(store.telemetry(device, 10)).isEmpty();
        assertThat(seen).isEmpty();
    }

    @Test
    void anHonestWindow_isStoredAndItsDeltasReachTheListeners() {
        long now = System.currentTimeMillis();
        reports.telemetry(row("d1", production.version(), 100, now), statistics(), now);
        reports.telemetry(row("d1", production.version(), 160, now), statistics(), now);
        assertThat(store.telemetry("d1", 10)).hasSize(2);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).answers()).as("the second window's own answers").isEqualTo(60);
        assertThat(seen.get(1).statistics().count()).isEqualTo(40);
    }

    @Test
    void aWindowFromTheFuture_isRefused() {
        long now = System.currentTimeMillis();
        assertThatThrownBy(() -> reports.telemetry(row("d1", production.version(), 100, now), statistics(), now + 3_600_000))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("from the future");
        assertThatThrownBy(() -> reports.telemetry(row("d1", production.version(), 100, now), statistics().toBuilder()
                .setWindowStartUnixMs(now + 10_000).build(), now)).isInstanceOf(InvalidInputException.class).hasMessageContaining("after the window's end");
        assertNothingStored("d1");
    }

    @Test
    void histogramsOfTheWrongShape_orNegativeOrNaNCounts_areRefused() {
        long now = System.currentTimeMillis();
        DataStatistics good = statistics();
        for (DataStatistics bad : List.of(
                good.toBuilder().setProjections(2, ProjectionCounts.newBuilder().setName("projection-1").addCounts(40)).build(),
                good.toBuilder().setPredictedLabelCounts(0, -5).build(),
                good.toBuilder().setConfidenceSum(Double.NaN).build(),
                good.toBuilder().setMeanConfidence(Double.NaN).build(),
                good.toBuilder().addConfidenceCounts(0).build())) {
            assertThatThrownBy(() -> reports.telemetry(row("d2", production.version(), 10, now), bad, now))
                    .isInstanceOf(InvalidInputException.class);
        }
        assertNothingStored("d2");
    }

    @Test
    void aNegativeCountOrNaNLatency_isRefused() {
        long now = System.currentTimeMillis();
        assertThatThrownBy(() -> reports.telemetry(row("d3", production.version(), -1, now), null, now)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> reports.telemetry(new TelemetryRow("d3", MODEL, now, production.version(), 1, 0, 0, Double.NaN, 1, 0, 0), null,
                now)).isInstanceOf(InvalidInputException.class);
        assertNothingStored("d3");
    }

    @Test
    void aDeviceThatLiesAboutItsVersion_isRefused() {
        long now = System.currentTimeMillis();
        assertThatThrownBy(() -> reports.telemetry(row("d4", candidate.version(), 1, now), null, now))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("never sent to devices");
        assertThatThrownBy(() -> reports.heartbeat("d4", MODEL, production.version(), "ab".repeat(32), ""))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not that version's artifact");
        rollouts.start(candidate.version(), List.of(), null, Map.of(), "test");
        String outside = null;
        String inside = null;
        for (int i = 0; i < 100 && (outside == null || inside == null); i++) {
            if (rollouts.inCohort("d" + i)) {
                inside = "d" + i;
            } else {
                outside = "d" + i;
            }
        }
        String out = outside;
        assertThatThrownBy(() -> reports.telemetry(row(out, candidate.version(), 1, now), null, now))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not in the rollout's cohort");
        assertThatThrownBy(() -> reports.heartbeat(out, MODEL, candidate.version(), "", ""))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not in the rollout's cohort");
        assertThat(devices.runningVersion(out)).isZero();
        assertNothingStored(out);
        reports.telemetry(row(inside, candidate.version(), 1, now), null, now);
        reports.heartbeat(inside, MODEL, candidate.version(), candidate.manifest().sha256(), "");
        assertThat(devices.runningVersion(inside)).isEqualTo(candidate.version());
        assertThatThrownBy(() -> reports.heartbeat("d5", MODEL, 99, "", "")).isInstanceOf(InvalidInputException.class);
    }
}
