package io.flock.coordinator.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.security.AccessDeniedException;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.CoordinateMedian;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.InvalidInputException;
import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiered aggregation through the real intake, round engine and H2 store: gateways g1 (a, b, c) and g2 (d, e) upload the
 * weighted means of their devices, f uploads its own; every hostile aggregate is refused with a clear error and changes
 * nothing.
 */
class GatewayIntakeTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    /** Each device's delta and examples. */
    private static final Map<String, float[]> DELTAS = new LinkedHashMap<>();
    private static final Map<String, Long> EXAMPLES = Map.of("a", 10L, "b", 30L, "c", 60L, "d", 7L, "e", 13L, "f", 40L);

    static {
        DELTAS.put("a", new float[] {1, -2});
        DELTAS.put("b", new float[] {0.5f, 4});
        DELTAS.put("c", new float[] {-3, 1});
        DELTAS.put("d", new float[] {2, 2});
        DELTAS.put("e", new float[] {-1, 0.25f});
        DELTAS.put("f", new float[] {0.1f, -0.7f});
    }

    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private DeviceRegistry devices;
    private UpdateIntake intake;
    private RoundEngine engine;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        for (String g : List.of("g1", "g2")) {
            devices.register(g, "gateway", ""); // registered, never online: never selected
        }
        for (String d : DELTAS.keySet()) {
            devices.register(d, "jvm", "");
            devices.statusChanged(d, true);
        }
        List.of("a", "b", "c").forEach(d -> devices.gateways().assign(d, "g1"));
        List.of("d", "e").forEach(d -> devices.gateways().assign(d, "g2"));
        ModelVersion v1 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, p(10, 10), null));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(64L << 20));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        engine.close();
        store.close();
    }

    private void startEngine(Strategy strategy) {
        engine = new RoundEngine(new RoundPlan(MODEL, SPEC, PIPELINE, 6, 6, 1, Duration.ofSeconds(30), 0), store, registry, devices,
                strategy, (round, base, plan, ds, deadline) -> List.of(), null, r -> { });
        intake.register(MODEL, engine);
    }

    private Future<RoundResult> roundInBackground() {
        Future<RoundResult> f = pool.submit(() -> engine.runRound());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.acceptedInOpenRound() >= 0);
        return f;
    }

    /** The gateway's upload as the agent's relay makes it: the weighted mean of its devices' deltas, their total weight. */
    private static UpdateSubmission aggregate(String gateway, String key, long claimedExamples, List<Contribution> contributions) {
        StreamingWeightedMean mean = new StreamingWeightedMean(p(0, 0));
        for (Contribution c : contributions) {
            mean.add(p(DELTAS.getOrDefault(c.deviceId(), new float[] {1, 1})), Math.max(1, c.numExamples()));
        }
        return new UpdateSubmission(gateway, MODEL, "", 1, 1, key, claimedExamples, "fp32", Codecs.FP32.encode(mean.mean()), null,
                contributions);
    }

    private static UpdateSubmission aggregate(String gateway, String... members) {
        List<Contribution> cs = new ArrayList<>();
        long total = 0;
        for (String d : members) {
            cs.add(new Contribution(d, RoundEngine.taskId(MODEL, 1, d), EXAMPLES.get(d)));
            total += EXAMPLES.get(d);
        }
        return aggregate(gateway, gateway + "/r1", total, cs);
    }

    private static UpdateSubmission direct(String device) {
        return new UpdateSubmission(device, MODEL, RoundEngine.taskId(MODEL, 1, device), 1, 1, device + "/r1", EXAMPLES.get(device),
                "fp32", Codecs.FP32.encode(p(DELTAS.get(device))));
    }

    /** base + the flat FedAvg of every device's delta (server learning rate 1). */
    private static float[] flatFedAvg() {
        double[] sum = new double[2];
        double weight = 0;
        for (var e : DELTAS.entrySet()) {
            long w = EXAMPLES.get(e.getKey());
            sum[0] += w * e.getValue()[0];
            sum[1] += w * e.getValue()[1];
            weight += w;
        }
        return new float[] {(float) (10 + sum[0] / weight), (float) (10 + sum[1] / weight)};
    }

    @Test
    void submit_gatewaysUploadTheirMeans_publishedVersionEqualsFlatFedAvg() throws Exception {
        startEngine(Strategy.fedAvg(PLAN, 1f));
        Future<RoundResult> round = roundInBackground();

        Receipt g1 = intake.submit(aggregate("g1", "a", "b", "c"));
        Receipt g2 = intake.submit(aggregate("g2", "d", "e"));
        intake.submit(direct("f"));
        RoundResult r = round.get(10, TimeUnit.SECONDS);

        assertThat(g1.outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(g2.acceptedInRound()).isEqualTo(2);
        assertThat(r.accepted()).as("every device answered, through a gateway or itself").isEqualTo(6);
        assertThat(r.failures()).isZero();
        float[] published = registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data();
        float[] expected = flatFedAvg();
        assertThat(published[0]).isCloseTo(expected[0], within(1e-5f));
        assertThat(published[1]).isCloseTo(expected[1], within(1e-5f));
        assertThat(store.contributions(MODEL, 1)).extracting(c -> c.deviceId() + "@" + c.gatewayId())
                .containsExactlyInAnyOrder("a@g1", "b@g1", "c@g1", "d@g2", "e@g2");
    }

    @Test
    void submit_replayedAggregate_isDuplicateAndChangesNothing() throws Exception {
        startEngine(Strategy.fedAvg(PLAN, 1f));
        roundInBackground();
        intake.submit(aggregate("g1", "a", "b", "c"));

        Receipt again = intake.submit(aggregate("g1", "a", "b", "c"));

        assertThat(again.outcome()).isEqualTo(Receipt.Outcome.DUPLICATE);
        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);
        assertThat(store.updates(MODEL, 1)).hasSize(1);
        assertThat(store.contributions(MODEL, 1)).hasSize(3);
    }

    @Test
    void submit_hostileAggregates_refusedWithReasons_nothingChanges() {
        startEngine(Strategy.fedAvg(PLAN, 1f));
        roundInBackground();
        intake.submit(direct("d"));
        String taskE = RoundEngine.taskId(MODEL, 1, "e");

        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 30, List.of(new Contribution("d", RoundEngine.taskId(MODEL, 1, "d"), 7),
                new Contribution("e", taskE, 13), new Contribution("a", RoundEngine.taskId(MODEL, 1, "a"), 10)))))
                .as("more contributors than devices behind it").isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("claims 3 contributors but 2 devices are behind it");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 23, List.of(new Contribution("e", taskE, 13),
                new Contribution("a", RoundEngine.taskId(MODEL, 1, "a"), 10)))))
                .as("a contributor behind another gateway").isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("device a, which is not behind it");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 500, List.of(new Contribution("e", taskE, 13)))))
                .as("a total weight that does not add up").isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("num_examples=500 but its contributions add up to 13");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 26, List.of(new Contribution("e", taskE, 13),
                new Contribution("e", taskE, 13))))).as("a device counted twice").isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("counts device e twice");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 13, List.of(new Contribution("e", taskE, Long.MAX_VALUE),
                new Contribution("d", RoundEngine.taskId(MODEL, 1, "d"), 7))))).as("examples that overflow a long")
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("more examples than a long holds");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 13, List.of(new Contribution("e", RoundEngine.taskId(MODEL, 2, "e"), 13)))))
                .as("a task the round did not give").isInstanceOf(RoundClosedException.class).hasMessageContaining("did not give it");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 20, List.of(new Contribution("d", RoundEngine.taskId(MODEL, 1, "d"), 7),
                new Contribution("e", taskE, 13))))).as("a device that already uploaded itself")
                .isInstanceOf(UpdateConflictException.class).hasMessageContaining("device d, which already answered round 1");
        assertThatThrownBy(() -> intake.submit(aggregate("g2", "g2/x", 13, List.of(new Contribution("e", taskE, 0)))))
                .as("a contribution without examples").isInstanceOf(InvalidInputException.class).hasMessageContaining("num_examples=0");
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("g2", MODEL, "", 1, 1, "g2/x", 13, "fp32", Codecs.FP32.encode(p(1, 1)))))
                .as("zero contributors: a gateway's own upload answers no task").isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("device g2 has no task ''");

        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);
        assertThat(store.updates(MODEL, 1)).extracting(u -> u.deviceId()).containsExactly("d");
        assertThat(store.contributions(MODEL, 1)).isEmpty();
        assertThat(intake.submit(aggregate("g2", "e")).outcome()).as("e can still be counted").isEqualTo(Receipt.Outcome.ACCEPTED);
    }

    @Test
    void submit_deviceUploadsItselfAfterItsGatewayCountedIt_conflict() {
        startEngine(Strategy.fedAvg(PLAN, 1f));
        roundInBackground();
        intake.submit(aggregate("g1", "a", "b"));

        assertThatThrownBy(() -> intake.submit(direct("a"))).isInstanceOf(UpdateConflictException.class)
                .hasMessageContaining("device a was already counted in round 1 through gateway g1");
        assertThatThrownBy(() -> intake.submit(aggregate("g1", "g1/second", 60, List.of(new Contribution("c", RoundEngine.taskId(MODEL, 1, "c"), 60)))))
                .as("one aggregate per gateway and round").isInstanceOf(UpdateConflictException.class);
        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);
        assertThat(store.contributions(MODEL, 1)).hasSize(2);
    }

    @Test
    void submit_robustRule_refusesAggregates() {
        startEngine(Strategy.fedAvg(PLAN, 1f).withAggregators("median", base -> new CoordinateMedian(base, 1 << 20)));
        roundInBackground();

        assertThatThrownBy(() -> intake.submit(aggregate("g1", "a", "b", "c"))).isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("not a plain weighted mean");
        assertThat(engine.acceptedInOpenRound()).isZero();
        assertThat(intake.submit(direct("a")).outcome()).as("devices upload their own instead").isEqualTo(Receipt.Outcome.ACCEPTED);
    }

    @Test
    void aRestartedEngine_refoldsAPersistedAggregateWithItsContributors() throws Exception {
        startEngine(Strategy.fedAvg(PLAN, 1f));
        Future<RoundResult> round = roundInBackground();
        intake.submit(aggregate("g1", "a", "b", "c"));
        round.cancel(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.acceptedInOpenRound() < 0);
        engine.close();

        startEngine(Strategy.fedAvg(PLAN, 1f));
        assertThat(engine.recover()).isTrue();
        assertThat(intake.submit(aggregate("g1", "a", "b", "c")).outcome()).isEqualTo(Receipt.Outcome.DUPLICATE);
        assertThatThrownBy(() -> intake.submit(direct("b"))).isInstanceOf(UpdateConflictException.class);
        Future<RoundResult> resumed = pool.submit(() -> engine.runRound());
        intake.submit(aggregate("g2", "d", "e"));
        intake.submit(direct("f"));

        RoundResult r = resumed.get(10, TimeUnit.SECONDS);
        assertThat(r.resumed()).isTrue();
        assertThat(r.accepted()).isEqualTo(6);
        float[] published = registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data();
        assertThat(published[0]).isCloseTo(flatFedAvg()[0], within(1e-5f));
        assertThat(published[1]).isCloseTo(flatFedAvg()[1], within(1e-5f));
    }
}
