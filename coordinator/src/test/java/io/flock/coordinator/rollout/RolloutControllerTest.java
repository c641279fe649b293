package io.flock.coordinator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.monitor.DeviceWindow;
import io.flock.coordinator.monitor.FleetEvents;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.FleetEventRow;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.stats.BinEdges;
import io.flock.core.stats.DriftSketch;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.link.wire.Cohorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutControllerTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final RolloutConfig CONFIG = new RolloutConfig(List.of(10.0, 50.0, 100.0), Duration.ofSeconds(20), WINDOW,
            new RolloutConfig.Gates(0.02, 0.1, 0.05, 1.5, 0.05, 50, 20));
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private DeviceRegistry devices;
    private FleetEvents events;
    private final TestClock clock = new TestClock();
    private final AtomicInteger announced = new AtomicInteger();
    private final List<RolloutController> controllers = new ArrayList<>();
    private long production;
    private long candidate;

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        for (int i = 0; i < 200; i++) {
            devices.register("d" + i, i % 2 == 0 ? "rpi4" : "jetson", "");
        }
        events = new FleetEvents(store, clock);
        production = registry.promote(MODEL, publish(0.1f).version(), Stage.PRODUCTION).version();
        candidate = publish(0.2f).version();
    }

    @AfterEach
    void close() {
        controllers.forEach(RolloutController::close);
        store.close();
    }

    private ModelVersion publish(float x) {
        float[] w = new float[8];
        java.util.Arrays.fill(w, x);
        return registry.publish(MODEL, Candidate.of(SPEC, FeaturePipeline.parse("scale:255"),
                new ModelParameters(List.of(new Tensor("w", new int[] {2, 4}, w))), null));
    }

    private RolloutController controller() {
        RolloutController c = new RolloutController(MODEL, store, registry, devices, CONFIG, events, clock, announced::incrementAndGet);
        controllers.add(c);
        return c;
    }

    /** One window of the whole fleet: every device reports 100 answers; canary devices with the given health. */
    private void reportWindow(RolloutController c, long version, double canaryAccuracy, double canaryConfidence) {
        for (int i = 0; i < 200; i++) {
            String d = "d" + i;
            boolean member = c.inCohort(d);
            long runs = member ? version : production;
            double accuracy = member ? canaryAccuracy : 0.85;
            double confidence = member ? canaryConfidence : 0.8;
            c.observe(new DeviceWindow(d, runs, clock.millis(), 100, 10, 90, 0, 2.0, sketch(100, confidence, 20, (int) Math.round(20 * (1 - accuracy)))));
        }
        clock.advance(WINDOW);
        c.tick();
    }

    private static DriftSketch sketch(long answers, double confidence, long feedback, long errors) {
        BinEdges half = new BinEdges(new double[] {0.5});
        List<BinEdges> edges = List.of(half, half, half, half);
        long[] conf = new long[DriftSketch.CONFIDENCE_BINS];
        conf[Math.min(9, (int) (confidence * 10))] = answers;
        long[] bins = {answers, 0};
        return DriftSketch.of(edges, 2, new long[][] {bins, bins, bins, bins}, new long[] {answers, 0}, conf, answers, confidence * answers,
                feedback, errors);
    }

    @Test
    void aGoodCandidate_advancesThroughEveryStage_andBecomesProduction() {
        RolloutController c = controller();
        Rollout r = c.start(candidate, List.of(), null, Map.of(), "nightly");
        assertThat(r.status()).isEqualTo(RolloutStatus.RUNNING);
        assertThat(registry.requireVersion(MODEL, candidate).stage()).isEqualTo(Stage.CANARY);
        assertThat(c.canaryDevices()).isBetween(8, 35); // 10 % of 200
        for (int w = 0; w < 12 && c.latest().orElseThrow().status() == RolloutStatus.RUNNING; w++) {
            reportWindow(c, candidate, 0.86, 0.8);
        }
        assertThat(c.latest().orElseThrow().status()).isEqualTo(RolloutStatus.COMPLETED);
        assertThat(registry.requireCurrent(MODEL).version()).isEqualTo(candidate);
        assertThat(registry.requireVersion(MODEL, production).stage()).isEqualTo(Stage.ARCHIVED);
        assertThat(events.newest(MODEL, 50)).extracting(FleetEventRow::detail)
                .anyMatch(d -> d.contains("advances to stage 2/3"))
                .anyMatch(d -> d.contains("advances to stage 3/3"))
                .noneMatch(d -> d.contains("ROLLED_BACK"));
    }

    @Test
    void aBadCandidate_isRolledBackInItsFirstWindow_andItsCohortReturns() {
        RolloutController c = controller();
        c.start(candidate, List.of(), null, Map.of(), "label-flipped on purpose");
        int before = announced.get();
        reportWindow(c, candidate, 0.30, 0.8);
        Rollout r = c.latest().orElseThrow();
        assertThat(r.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(r.stage()).isZero();
        assertThat(r.lastDecision()).contains("feedback-accuracy").contains("FAILED");
        assertThat(announced.get()).as("re-announced without the canary").isGreaterThan(before);
        assertThat(c.active()).isEmpty();
        assertThat(c.inCohort("d0")).isFalse();
        assertThat(registry.requireCurrent(MODEL).version()).isEqualTo(production);
        assertThat(registry.requireVersion(MODEL, candidate).stage()).isEqualTo(Stage.CANDIDATE);
        assertThat(events.newest(MODEL, 5)).extracting(FleetEventRow::kind).contains(FleetEvents.ROLLBACK);
    }

    @Test
    void aConfidenceDrop_failsItsGate() {
        RolloutController c = controller();
        c.start(candidate, List.of(), null, Map.of(), "");
        reportWindow(c, candidate, 0.86, 0.5);
        assertThat(c.latest().orElseThrow().lastDecision()).contains("mean-confidence").contains("FAILED");
    }

    @Test
    void tooFewAnswers_decideNothing_andTheStageWaits() {
        RolloutController c = controller();
        c.start(candidate, List.of(), null, Map.of(), "");
        clock.advance(Duration.ofSeconds(30));
        c.tick();
        Rollout r = c.latest().orElseThrow();
        assertThat(r.status()).isEqualTo(RolloutStatus.RUNNING);
        assertThat(r.stage()).as("soak passed, but no window was decided").isZero();
        assertThat(c.lastGates()).allMatch(g -> !g.decided());
    }

    @Test
    void pauseHoldsTheStage_resumeContinues_abortReturnsTheCohort() {
        RolloutController c = controller();
        c.start(candidate, List.of(), null, Map.of(), "");
        c.pause("looking at the logs");
        assertThatThrownBy(() -> c.pause("again")).isInstanceOf(RolloutStateException.class).hasMessageContaining("PAUSED");
        reportWindow(c, candidate, 0.30, 0.8);
        reportWindow(c, candidate, 0.30, 0.8);
        assertThat(c.latest().orElseThrow().status()).as("a paused rollout judges nothing").isEqualTo(RolloutStatus.PAUSED);
        c.resume("fine");
        assertThat(c.latest().orElseThrow().status()).isEqualTo(RolloutStatus.RUNNING);
        Rollout aborted = c.abort("changed my mind");
        assertThat(aborted.status()).isEqualTo(RolloutStatus.ABORTED);
        assertThatThrownBy(() -> c.resume("x")).isInstanceOf(RolloutStateException.class).hasMessageContaining("no active rollout");
        assertThat(registry.requireVersion(MODEL, candidate).stage()).isEqualTo(Stage.CANDIDATE);
    }

    @Test
    void rollbackAfterCompletion_makesThePreviousVersionProductionAgain() {
        RolloutController c = controller();
        c.start(candidate, List.of(100.0), Duration.ZERO, Map.of(), "");
        reportWindow(c, candidate, 0.86, 0.8);
        assertThat(c.latest().orElseThrow().status()).isEqualTo(RolloutStatus.COMPLETED);
        Rollout r = c.rollback("users complain");
        assertThat(r.status()).isEqualTo(RolloutStatus.ROLLED_BACK);
        assertThat(registry.requireCurrent(MODEL).version()).isEqualTo(production);
    }

    @Test
    void refusals_changeNothing() {
        RolloutController c = controller();
        assertThatThrownBy(() -> c.start(999, List.of(), null, Map.of(), "")).isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> c.start(production, List.of(), null, Map.of(), ""))
                .isInstanceOf(RolloutStateException.class).hasMessageContaining("PRODUCTION");
        assertThatThrownBy(() -> c.start(candidate, List.of(10.0, 5.0, 100.0), null, Map.of(), ""))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("increase");
        assertThatThrownBy(() -> c.start(candidate, List.of(10.0, 50.0), null, Map.of(), ""))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("100");
        assertThatThrownBy(() -> c.start(candidate, List.of(), Duration.ofSeconds(-1), Map.of(), ""))
                .isInstanceOf(InvalidInputException.class);
        assertThat(c.latest()).isEmpty();
        assertThat(registry.requireVersion(MODEL, candidate).stage()).isEqualTo(Stage.CANDIDATE);
        c.start(candidate, List.of(), null, Map.of(), "");
        long other = publish(0.3f).version();
        assertThatThrownBy(() -> c.start(other, List.of(), null, Map.of(), ""))
                .isInstanceOf(RolloutStateException.class).hasMessageContaining("abort it or let it finish");
        assertThat(c.latest().orElseThrow().version()).isEqualTo(candidate);
    }

    @Test
    void labelsNarrowTheCohort() {
        RolloutController c = controller();
        c.start(candidate, List.of(100.0), null, Map.of("hardware", "rpi4"), "");
        assertThat(c.canaryDevices()).isEqualTo(100);
        assertThat(c.inCohort("d0")).isTrue();
        assertThat(c.inCohort("d1")).isFalse();
    }

    @Test
    void aRestartedCoordinator_resumesTheRolloutAtItsStage() {
        RolloutController first = controller();
        first.start(candidate, List.of(), null, Map.of(), "");
        reportWindow(first, candidate, 0.86, 0.8);
        reportWindow(first, candidate, 0.86, 0.8);
        Rollout before = first.latest().orElseThrow();
        assertThat(before.stage()).isEqualTo(1);
        first.close();
        RolloutController second = controller().start();
        Rollout after = second.latest().orElseThrow();
        assertThat(after).isEqualTo(before);
        assertThat(second.inCohort("d0")).isEqualTo(Cohorts.contains(before.cohort(), "d0", devices.labels("d0")));
        assertThat(events.newest(MODEL, 1).get(0).detail()).contains("resumes after a restart at stage 2/3");
    }
}
