package io.flock.coordinator.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.UpdateIntake;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.AggregatorSpec;
import io.flock.coordinator.strategy.ClientSelector;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.coordinator.strategy.OptimizerSpec;
import io.flock.coordinator.strategy.ServerOptimizer;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.coordinator.strategy.WeightedMean;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The round engine with the strategy parts: a robust rule's minimum, and optimizer state across a restart. H2, no transport. */
class RoundEngineTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    private static final List<String> DEVICES = List.of("a", "b", "c", "d", "e");
    @TempDir
    Path dir;
    private String url;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private UpdateIntake intake;
    private DeviceRegistry devices;
    private RoundEngine engine;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private void open(String jdbcUrl) throws Exception {
        url = jdbcUrl;
        store = new JdbcFlockStore(url);
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        for (String d : DEVICES) {
            devices.register(d, "jvm", "");
            devices.statusChanged(d, true);
        }
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(64L << 20));
    }

    private void publishFirst(ModelParameters params) {
        ModelVersion v1 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, params, null));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
    }

    private void startEngine(Strategy strategy, int devicesPerRound, int minResults, Duration timeout) {
        engine = new RoundEngine(new RoundPlan(MODEL, SPEC, PIPELINE, devicesPerRound, minResults, 1, timeout, 0), store, registry, devices,
                strategy, (round, base, plan, ds, deadline) -> List.of(), null, r -> { });
        intake.register(MODEL, engine);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        if (engine != null) {
            engine.close();
        }
        store.close();
    }

    private Future<RoundResult> roundInBackground() {
        Future<RoundResult> f = pool.submit(() -> engine.runRound());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.acceptedInOpenRound() >= 0);
        return f;
    }

    private void submit(long round, String device, double examples, float... delta) {
        long base = registry.requireCurrent(MODEL).version();
        intake.submit(new UpdateSubmission(device, MODEL, RoundEngine.taskId(MODEL, round, device), round, base, device + "-" + round,
                (int) examples, "fp32", Codecs.FP32.encode(p(delta))));
    }

    private static Strategy krum(int f) {
        AggregatorSpec rule = new AggregatorSpec("krum", 0.2, f, 0, 0, 1 << 20);
        OptimizerSpec sgd = OptimizerSpec.of("sgd", Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
        return new Strategy("krum", ClientSelector.UNIFORM, PLAN, rule::create, sgd::create);
    }

    private String status(long round) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
             ResultSet rs = c.createStatement().executeQuery("SELECT status FROM rounds WHERE model = '" + MODEL + "' AND round = " + round)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void runRound_fewerUpdatesThanKrumNeeds_failsKeepsTheVersionAndSaysWhy() throws Exception {
        open("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        publishFirst(p(10, 10));
        startEngine(krum(1), 5, 1, Duration.ofMillis(800)); // f = 1 needs 2f + 3 = 5; min-results 1 does not close it early
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Logger log = (Logger) LoggerFactory.getLogger(RoundEngine.class);
        log.addAppender(events);
        RoundResult r;
        try {
            Future<RoundResult> round = roundInBackground();
            submit(1, "a", 100, 1, 0);
            submit(1, "b", 100, 0, 1);
            submit(1, "e", 100, 1e30f, -1e30f);
            r = round.get(10, TimeUnit.SECONDS);
        } finally {
            log.detachAppender(events);
        }

        assertThat(r.seconds()).as("waited for the rule's minimum, not round.min-results").isGreaterThanOrEqualTo(0.7);
        assertThat(r.version()).isEqualTo(1);
        assertThat(r.accepted()).as("nothing aggregated").isZero();
        assertThat(r.failures()).isEqualTo(2);
        assertThat(registry.requireCurrent(MODEL).version()).isEqualTo(1);
        assertThat(registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data()).containsExactly(10f, 10f);
        assertThat(status(1)).isEqualTo("FAILED");
        assertThat(store.openRound(MODEL)).isEmpty();
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("round=1 failed: 3 updates, and krum(f=1) needs at least 5; version=1 stays current"));
    }

    @Test
    void runRound_krum_waitsForItsMinimum_thenLeavesTheAttackerOut() throws Exception {
        open("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        publishFirst(p(10, 10));
        startEngine(krum(1), 5, 1, Duration.ofSeconds(30));
        Future<RoundResult> round = roundInBackground();
        submit(1, "a", 1, 0, 0);
        submit(1, "b", 1, 1, 0);
        submit(1, "c", 1, 0, 2);
        submit(1, "e", 1000, 10, 10);

        Thread.sleep(300);
        assertThat(round).as("4 of the 5 updates Krum needs").isNotDone();
        submit(1, "d", 1, 1, 1);
        RoundResult r = round.get(10, TimeUnit.SECONDS);

        assertThat(r.accepted()).isEqualTo(5);
        assertThat(status(1)).isEqualTo("CLOSED");
        // scores (sum of the 2 nearest squared distances): a 3, b 2, c 6, d 3, e 326: Krum takes b's (1, 0)
        assertThat(registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data()).containsExactly(11f, 10f);
    }

    @Test
    void adamState_persistedWithEachVersion_continuesTheTrajectoryAcrossARestart_bitForBit() throws Exception {
        String fileUrl = "jdbc:h2:file:" + dir.resolve("flock").toAbsolutePath() + ";DB_CLOSE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        OptimizerSpec adam = OptimizerSpec.of("adam", Float.NaN, Float.NaN, Float.NaN, Float.NaN, 1e-3f);
        Strategy fedAdam = new Strategy("fedadam", ClientSelector.UNIFORM, PLAN, AggregatorSpec.mean()::create, adam::create);
        Random random = new Random(5);
        float[] start = new float[6];
        float[][][] deltas = new float[4][2][6];
        for (int i = 0; i < start.length; i++) {
            start[i] = (float) random.nextGaussian();
        }
        for (float[][] round : deltas) {
            for (float[] d : round) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) random.nextGaussian() * 0.1f;
                }
            }
        }
        ServerOptimizer uninterrupted = adam.create();
        ModelParameters expected = p(start.clone());
        for (float[][] round : deltas) {
            WeightedMean mean = new WeightedMean(expected);
            mean.add(new ClientUpdate("a", 0, p(round[0]), 100, 1, 0));
            mean.add(new ClientUpdate("b", 0, p(round[1]), 300, 1, 0));
            AggregatedUpdate combined = mean.result();
            expected = uninterrupted.step(expected, combined);
        }

        open(fileUrl);
        publishFirst(p(start.clone()));
        for (int r = 1; r <= 4; r++) {
            if (r == 3) { // a coordinator restart: engine, registry and store gone, reopened from the database file
                engine.close();
                store.close();
                open(fileUrl);
            }
            startEngine(fedAdam, 5, 2, Duration.ofSeconds(30)); // all five are asked; the round closes with a and b
            Future<RoundResult> round = roundInBackground();
            submit(r, "a", 100, deltas[r - 1][0]);
            submit(r, "b", 300, deltas[r - 1][1]);
            assertThat(round.get(10, TimeUnit.SECONDS).accepted()).isEqualTo(2);
            engine.close();
        }

        ModelVersion v5 = registry.requireCurrent(MODEL);
        assertThat(v5.version()).isEqualTo(5);
        assertThat(registry.globalParameters(v5).tensors().get(0).data()).containsExactly(expected.tensors().get(0).data());
        assertThat(v5.optimizerState()).isEqualTo(uninterrupted.state());
    }
}
