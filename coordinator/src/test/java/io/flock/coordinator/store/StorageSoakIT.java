package io.flock.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.UpdateIntake;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand back-to-back rounds of a 12,730-parameter MLP on an H2 file, with the retention the coordinator
 * ships (payloads dropped once a round is published, the artifacts of the newest 20 versions kept): what the
 * database holds stays under 4 MB where keeping everything would hold over 200 MB. The round engine and intake
 * run for real; only the transport is left out (devices are three submitters in this JVM). The file's own size is
 * printed, not bounded: H2 keeps freed chunks for RETENTION_TIME (45 s) before reusing them, so the file holds
 * the last 45 s of churn on top of the live data (376 MB at this test's pace of 80 rounds a second).
 */
class StorageSoakIT {
    private static final int ROUNDS = 1000;
    private static final long BOUND_BYTES = 4L << 20;
    @TempDir
    Path dir;

    private static ModelParameters filled(ModelParameters layout, float value) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : layout.tensors()) {
            float[] d = new float[t.size()];
            java.util.Arrays.fill(d, value);
            out.add(new Tensor(t.name(), t.shape(), d));
        }
        return new ModelParameters(out);
    }

    @Test
    void thousandsOfRounds_keepTheDatabaseUnderItsBound() throws Exception {
        ModelSpec spec = ModelSpec.parse("mlp:784-16-10");
        Path db = dir.resolve("flock");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (JdbcFlockStore store = new JdbcFlockStore("jdbc:h2:file:" + db + ";DB_CLOSE_DELAY=0")) {
            ModelRegistry registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")),
                    List.of(CompressionPipeline.parse("int8")), 20);
            DeviceRegistry devices = new DeviceRegistry(store, "");
            List<String> fleet = List.of("a", "b", "c");
            for (String d : fleet) {
                devices.register(d, "jvm", "");
                devices.statusChanged(d, true);
            }
            List<Tensor> layout = new ArrayList<>();
            for (int l = 0; l < 2; l++) {
                int in = spec.layers().get(l);
                int out = spec.layers().get(l + 1);
                layout.add(new Tensor("w" + l, new int[] {out, in}, new float[in * out]));
                layout.add(new Tensor("b" + l, new int[] {out}, new float[out]));
            }
            ModelParameters zero = new ModelParameters(layout);
            registry.promote("m", registry.publish("m", Candidate.of(spec, FeaturePipeline.parse("scale:255"), zero, null)).version(),
                    Stage.PRODUCTION);
            UpdateIntake intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(64L << 20));
            RoundEngine engine = new RoundEngine(new RoundPlan("m", spec, FeaturePipeline.parse("scale:255"), 3, 3, 3,
                    Duration.ofSeconds(30), 0), store, registry, devices, Strategy.fedAvg(new TrainingPlan(new TrainingConfig(0.1f, 10, 1),
                    "fp32", 0, 0, false), 1f), (round, base, plan, ds, deadline) -> List.of(), null, r -> { });
            intake.register("m", engine);
            for (int r = 1; r <= ROUNDS; r++) {
                byte[] delta = Codecs.FP32.encode(filled(zero, r * 1e-4f)); // every version its own parameters
                Future<RoundResult> round = pool.submit(engine::runRound);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> engine.acceptedInOpenRound() >= 0);
                long base = registry.requireCurrent("m").version();
                for (String d : fleet) {
                    intake.submit(new UpdateSubmission(d, "m", RoundEngine.taskId("m", r, d), r, base, "k" + r, 100, "fp32", delta));
                }
                assertThat(round.get(10, TimeUnit.SECONDS).accepted()).isEqualTo(3);
            }
            engine.close();
            long live;
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + db); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT (SELECT COALESCE(SUM(size_bytes), 0) FROM artifacts)"
                         + " + (SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM client_updates)")) {
                rs.next();
                live = rs.getLong(1);
            }
            long file = Files.size(Path.of(db + ".mv.db"));
            System.out.printf("StorageSoakIT: %d rounds; artifacts and payloads held %.2f MB (bound %.0f MB); file %.1f MB%n", ROUNDS,
                    live / 1e6, BOUND_BYTES / 1e6, file / 1e6);
            assertThat(live).isLessThan(BOUND_BYTES);
            assertThat(store.sizeBytes()).isEqualTo(file);
            assertThat(registry.versions("m", Integer.MAX_VALUE)).hasSize(ROUNDS + 1);
        } finally {
            pool.shutdownNow();
        }
    }
}
