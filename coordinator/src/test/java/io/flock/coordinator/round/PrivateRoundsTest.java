package io.flock.coordinator.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.UpdateIntake;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.privacy.CentralDp;
import io.flock.coordinator.privacy.PrivacyBudgetSpentException;
import io.flock.coordinator.privacy.PrivacyConfig;
import io.flock.coordinator.privacy.PrivacyLedger;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.privacy.RdpAccountant;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rounds under central differential privacy: the coordinator's clipping and noise, the ledger across a restart, the budget. H2. */
class PrivateRoundsTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final float CLIP = 1f;
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, CLIP, false);
    private static final List<String> DEVICES = List.of("a", "b", "c", "d");
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private UpdateIntake intake;
    private DeviceRegistry devices;
    private RoundEngine engine;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        for (String d : DEVICES) {
            devices.register(d, "jvm", "");
            devices.statusChanged(d, true);
        }
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(64L << 20));
        ModelVersion v1 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, p(0, 0), null));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        if (engine != null) {
            engine.close();
        }
        store.close();
    }

    private PrivacyLedger start(double noise, double maxEpsilon) {
        PrivacyConfig config = new PrivacyConfig(PrivacyConfig.Mode.CENTRAL, noise, 1e-5, maxEpsilon);
        PrivacyLedger ledger = new PrivacyLedger(MODEL, config, CLIP, store);
        Random random = new Random(7);
        Strategy dp = Strategy.fedAvg(PLAN, 1f).withAggregators("fedavg+central-dp", l -> new CentralDp(l, CLIP, noise, random));
        engine = new RoundEngine(new RoundPlan(MODEL, SPEC, PIPELINE, 2, 2, 1, Duration.ofSeconds(10), 0), store, registry, devices, dp,
                (round, base, plan, ds, deadline) -> List.of(), null, r -> { }, ledger);
        intake.register(MODEL, engine);
        return ledger;
    }

    private RoundResult round(float[]... updates) throws Exception {
        Future<RoundResult> f = pool.submit(() -> engine.runRound());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.acceptedInOpenRound() >= 0);
        long round = store.lastRound(MODEL);
        List<String> selected = store.openRound(MODEL).orElseThrow().selected();
        long base = registry.requireCurrent(MODEL).version();
        for (int i = 0; i < updates.length; i++) {
            String d = selected.get(i);
            intake.submit(new UpdateSubmission(d, MODEL, RoundEngine.taskId(MODEL, round, d), round, base, d + "-" + round, 100 * (i + 1),
                    "fp32", Codecs.FP32.encode(p(updates[i]))));
        }
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void runRound_deviceOverTheClipNorm_isClippedAgainAndWeightsAreEqual() throws Exception {
        start(1e-9, 0);

        RoundResult r = round(new float[] {0.3f, 0.4f}, new float[] {30f, 40f}); // norms 0.5 and 50: the second lies about C = 1

        float[] next = registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data();
        assertThat(next[0]).as("(0.3 + 0.6) / 2, examples ignored").isCloseTo(0.45f, within(1e-4f));
        assertThat(next[1]).isCloseTo(0.6f, within(1e-4f));
        assertThat(r.epsilon()).isPositive();
    }

    @Test
    void runRound_noise_hasTheMechanismsStandardDeviation() {
        CentralDp dp = new CentralDp(p(new float[20_000]), 2.0, 1.5, new Random(3));

        ModelParameters noised = dp.noised(p(new float[20_000]), 10);

        double squares = 0;
        for (float v : noised.tensors().get(0).data()) {
            squares += v * v;
        }
        assertThat(Math.sqrt(squares / 20_000)).as("z C / n = 1.5 x 2 / 10").isCloseTo(0.3, within(0.01));
    }

    @Test
    void ledger_afterRoundsAndRestart_epsilonMatchesTheAccountantAndVersionsCarryIt() throws Exception {
        PrivacyLedger ledger = start(1.1, 0);
        RoundResult first = round(new float[] {0.1f, 0f}, new float[] {0f, 0.1f});
        RoundResult second = round(new float[] {0.1f, 0f}, new float[] {0f, 0.1f});

        double q = 2.0 / DEVICES.size();
        assertThat(second.epsilon()).isCloseTo(RdpAccountant.epsilon(q, 1.1, 2, 1e-5), within(1e-9));
        assertThat(first.epsilon()).isLessThan(second.epsilon());
        assertThat(ledger.forVersion(second.version()).orElseThrow().epsilon()).isEqualTo(second.epsilon());
        engine.close();
        PrivacyLedger restarted = new PrivacyLedger(MODEL, ledger.config(), CLIP, store);
        assertThat(restarted.epsilon()).as("rebuilt from the store").isCloseTo(second.epsilon(), within(1e-9));
        assertThat(restarted.noisedRounds(second.round())).isEqualTo(2);
    }

    @Test
    void runRound_budgetSpent_noRoundStartsAndNothingIsStored() throws Exception {
        double q = 2.0 / DEVICES.size();
        double oneRound = RdpAccountant.epsilon(q, 1.1, 1, 1e-5);
        PrivacyLedger ledger = start(1.1, (oneRound + RdpAccountant.epsilon(q, 1.1, 2, 1e-5)) / 2); // room for one round, not two
        round(new float[] {0.1f, 0f}, new float[] {0f, 0.1f});
        long rounds = store.lastRound(MODEL);

        assertThatThrownBy(() -> engine.runRound()).isInstanceOf(PrivacyBudgetSpentException.class)
                .hasMessageContaining("privacy budget spent").hasMessageContaining("would reach");

        assertThat(store.lastRound(MODEL)).as("no round opened").isEqualTo(rounds);
        assertThat(ledger.stopped()).isPresent();
        assertThat(registry.requireCurrent(MODEL).version()).isEqualTo(2);
    }
}
