package io.flock.coordinator.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.fleet.UnknownDeviceException;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The round engine and the intake in one process: H2 in memory, a recording task sender, no transport. */
class RoundIntakeTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private DeviceRegistry devices;
    private UpdateIntake intake;
    private RoundEngine engine;
    private final List<String> tasked = new CopyOnWriteArrayList<>();
    private final List<RoundResult> finished = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ByteBudget budget = new ByteBudget(64L << 20);

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private void startEngine(int devicesPerRound, int minResults, Duration timeout) {
        engine = new RoundEngine(new RoundPlan(MODEL, SPEC, PIPELINE, devicesPerRound, minResults, 1, timeout, 0), store, registry, devices,
                Strategy.fedAvg(PLAN, 1f), (round, base, plan, ds, deadline) -> {
                    tasked.addAll(ds);
                    return List.of();
                }, null, finished::add);
        intake.register(MODEL, engine);
    }

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        devices = new DeviceRegistry(store, "");
        for (String d : List.of("a", "b", "c")) {
            devices.register(d, "jvm", "");
            devices.statusChanged(d, true);
        }
        ModelVersion v1 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, p(10, 10), null));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, budget);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        engine.close();
        store.close();
    }

    private Future<RoundResult> roundInBackground() {
        Future<RoundResult> f = pool.submit(() -> engine.runRound());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.acceptedInOpenRound() >= 0);
        return f;
    }

    private static UpdateSubmission update(String device, String key, float... delta) {
        return new UpdateSubmission(device, MODEL, RoundEngine.taskId(MODEL, 1, device), 1, 1, key, 100, "fp32", Codecs.FP32.encode(p(delta)));
    }

    @Test
    void round_selectsDevices_closesWhenEnoughArrive_andPromotesTheNewVersion() throws Exception {
        startEngine(3, 2, Duration.ofSeconds(30));
        Future<RoundResult> round = roundInBackground();

        assertThat(intake.submit(update("a", "ka", 1, -1)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(intake.submit(update("b", "kb", -1, 3)).acceptedInRound()).isEqualTo(2);
        RoundResult r = round.get(10, TimeUnit.SECONDS);

        assertThat(store.updates(MODEL, 1)).as("a published round keeps who sent what, not the payloads").hasSize(2)
                .allSatisfy(u -> assertThat(u.payload()).isEmpty());
        assertThat(tasked).containsExactly("a", "b", "c");
        assertThat(r.accepted()).isEqualTo(2);
        assertThat(r.failures()).isEqualTo(1);
        ModelVersion v2 = registry.requireCurrent(MODEL);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.round()).isEqualTo(1);
        assertThat(registry.globalParameters(v2).tensors().get(0).data()).containsExactly(10f, 11f);
        assertThat(registry.requireVersion(MODEL, 1).stage()).isEqualTo(Stage.ARCHIVED);
        assertThat(finished).hasSize(1);
    }

    @Test
    void round_deadlinePasses_stragglersCountAsFailures() throws Exception {
        startEngine(3, 3, Duration.ofMillis(600));
        Future<RoundResult> round = roundInBackground();
        intake.submit(update("a", "ka", 1, 1));

        RoundResult r = round.get(10, TimeUnit.SECONDS);

        assertThat(r.accepted()).isEqualTo(1);
        assertThat(r.failures()).isEqualTo(2);
        assertThat(r.seconds()).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void oneUpdatePerDeviceAndTask_andKeysAreScopedPerDevice() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        Future<RoundResult> round = roundInBackground();

        assertThat(intake.submit(update("a", "k1", 1, 1)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(intake.submit(update("a", "k1", 1, 1)).outcome()).as("a retry").isEqualTo(Receipt.Outcome.DUPLICATE);
        assertThatThrownBy(() -> intake.submit(update("a", "k2", 5, 5))).as("a second update under another key")
                .isInstanceOf(UpdateConflictException.class);
        assertThat(intake.submit(update("b", "k1", 1, 1)).outcome()).as("b's k1 is b's own, not a's")
                .isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(engine.acceptedInOpenRound()).isEqualTo(2);
        assertThat(store.updates(MODEL, 1)).hasSize(2);
        intake.submit(update("c", "kc", 1, 1));
        assertThat(round.get(10, TimeUnit.SECONDS).accepted()).isEqualTo(3);
    }

    @Test
    void submit_otherDevicesFrontRunningWithTheVictimsKey_neverMakeTheRealUpdateADuplicate() throws Exception {
        devices.register("m", "jvm", "");
        devices.statusChanged("m", true);
        startEngine(3, 3, Duration.ofSeconds(30));
        roundInBackground();
        String victimTask = RoundEngine.taskId(MODEL, 1, "a");
        String victimKey = victimTask + "/a"; // the agent's key: its task id and its device id, both readable on MQTT

        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("b", MODEL, victimTask, 1, 1, victimKey, 100, "fp32",
                Codecs.FP32.encode(p(9, 9))))).as("a selected device answering the victim's task").isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("no task");
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("m", MODEL, victimTask, 1, 1, victimKey, 100, "fp32",
                Codecs.FP32.encode(p(9, 9))))).as("a registered device that was sent no task").isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("no task");
        assertThat(intake.submit(update("b", victimKey, 9, 9)).outcome()).as("b's own task under the victim's key: b's update")
                .isEqualTo(Receipt.Outcome.ACCEPTED);

        assertThat(intake.submit(update("a", victimKey, 1, 1)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(engine.acceptedInOpenRound()).isEqualTo(2);
        assertThat(store.updates(MODEL, 1)).extracting(u -> u.deviceId()).containsExactly("b", "a");
    }

    @Test
    void concurrentUploadsWithOneKey_countOnce() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        roundInBackground();
        List<Callable<Receipt>> uploads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            uploads.add(() -> intake.submit(update("a", "same", 1, 1)));
        }
        List<Receipt.Outcome> outcomes = new ArrayList<>();
        for (Future<Receipt> f : pool.invokeAll(uploads)) {
            outcomes.add(f.get().outcome());
        }

        assertThat(outcomes).containsOnlyOnce(Receipt.Outcome.ACCEPTED);
        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);
        assertThat(store.updates(MODEL, 1)).hasSize(1);
    }

    @Test
    void hostileUpdates_areRefusedWithAClearError_andChangeNothing() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        roundInBackground();
        String longKey = "k".repeat(300);

        assertThatThrownBy(() -> intake.submit(update("a", longKey, 1, 1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("idempotency_key").hasMessageContaining("256").hasMessageNotContaining(longKey);
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", "other", RoundEngine.taskId("other", 1, "a"), 1, 1, "k", 100, "fp32",
                Codecs.FP32.encode(p(1, 1))))).isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", "", RoundEngine.taskId("", 1, "a"), 1, 1, "k", 100, "fp32",
                Codecs.FP32.encode(p(1, 1))))).isInstanceOf(InvalidInputException.class).hasMessageContaining("model");
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", MODEL, RoundEngine.taskId(MODEL, 1, "a"), 1, 7, "k", 100, "fp32",
                Codecs.FP32.encode(p(1, 1))))).isInstanceOf(RoundClosedException.class).hasMessageContaining("version 7");
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", MODEL, RoundEngine.taskId(MODEL, 2, "a"), 2, 1, "k", 100, "fp32",
                Codecs.FP32.encode(p(1, 1))))).isInstanceOf(RoundClosedException.class);
        assertThatThrownBy(() -> intake.submit(update("mallory", "k", 1, 1))).isInstanceOf(UnknownDeviceException.class);
        assertThatThrownBy(() -> intake.submit(update("a", "k", 1, 1, 1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> intake.submit(update("a", "k", Float.NaN, 1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", MODEL, RoundEngine.taskId(MODEL, 1, "a"), 1, 1, "k", 100, "fp32",
                new byte[2 << 20]))).isInstanceOf(CapacityExceededException.class);
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", MODEL, RoundEngine.taskId(MODEL, 1, "a"), 1, 1, "k", 0, "fp32",
                Codecs.FP32.encode(p(1, 1))))).isInstanceOf(InvalidInputException.class).hasMessageContaining("num_examples");
        assertThatThrownBy(() -> intake.submit(new UpdateSubmission("a", MODEL, RoundEngine.taskId(MODEL, 1, "a"), 1, 1, "k", 100, "fp32",
                new byte[] {1, 2, 3}))).isInstanceOf(InvalidInputException.class);

        assertThat(engine.acceptedInOpenRound()).isZero();
        assertThat(store.updates(MODEL, 1)).isEmpty();
        assertThat(intake.submit(update("a", "k", 1, 1)).outcome()).as("the device can still deliver").isEqualTo(Receipt.Outcome.ACCEPTED);
    }

    /** An int8 update whose frame claims a 16384 x 16384 tensor over 256 MB of zeros: about 250 KB on the wire. */
    private static byte[] bomb() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.util.zip.DeflaterOutputStream(bytes))) {
            out.writeInt(0x464C4B50);
            out.writeUTF("int8");
            out.writeInt(1);
            out.writeUTF("w");
            out.writeByte(2);
            out.writeInt(16384);
            out.writeInt(16384);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                out.write(zeros);
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void tenConcurrentDecompressionBombs_areRefused_andAllocateAlmostNothing() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        roundInBackground();
        byte[] bomb = bomb();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        List<Callable<Long>> uploads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String device = List.of("a", "b", "c").get(i % 3);
            uploads.add(() -> {
                long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
                assertThatThrownBy(() -> intake.submit(new UpdateSubmission(device, MODEL, RoundEngine.taskId(MODEL, 1, device), 1, 1, "bomb",
                        100, "int8", bomb))).isInstanceOf(InvalidInputException.class);
                return threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            });
        }
        long allocated = 0;
        for (Future<Long> f : pool.invokeAll(uploads)) {
            allocated += f.get();
        }

        assertThat(allocated).as("bytes ten %d-byte bombs allocated", bomb.length).isLessThan(32L << 20);
        assertThat(budget.used()).isZero();
        assertThat(engine.acceptedInOpenRound()).isZero();
    }

    @Test
    void aFullIntakeBudget_answersAtOnce_andTheNextUploadFits() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        roundInBackground();
        budget.reserve((64L << 20) - 100);

        assertThatThrownBy(() -> intake.submit(update("a", "ka", 1, 1))).isInstanceOf(IntakeBusyException.class)
                .hasMessageContaining("limits.intake-budget");
        budget.release((64L << 20) - 100);
        assertThat(intake.submit(update("a", "ka", 1, 1)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
    }

    @Test
    void stop_endsARoundInProgressAtOnce_evenWithTheInterruptSwallowed_andLeavesItOpenForARestart() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(60));
        Future<RoundResult> round = roundInBackground();
        intake.submit(update("a", "ka", 1, 1));

        engine.stop();

        assertThatThrownBy(() -> round.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
        assertThat(store.openRound(MODEL)).as("still open in the store: a restart resumes it").isPresent();
        assertThat(store.updates(MODEL, 1)).hasSize(1);
    }

    @Test
    void aRejectedTask_stopsTheRoundWaitingForThatDevice() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        Future<RoundResult> round = roundInBackground();
        intake.submit(update("a", "ka", 1, 1));
        intake.submit(update("b", "kb", 1, 1));

        assertThat(engine.taskRejected("c", 1, RoundEngine.taskId(MODEL, 2, "c"))).as("not its task").isFalse();
        assertThat(engine.taskRejected("c", 1, RoundEngine.taskId(MODEL, 1, "c"))).isTrue();

        RoundResult r = round.get(5, TimeUnit.SECONDS);
        assertThat(r.accepted()).isEqualTo(2);
        assertThat(r.seconds()).isLessThan(5);
    }

    @Test
    void aRollbackDuringTheRound_wins_andTheRoundsVersionStaysACandidate() throws Exception {
        ModelVersion v2 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, p(20, 20), null));
        registry.promote(MODEL, v2.version(), Stage.PRODUCTION);
        startEngine(3, 1, Duration.ofSeconds(30));
        Future<RoundResult> round = roundInBackground();
        registry.rollback(MODEL, 0);
        intake.submit(new UpdateSubmission("a", MODEL, RoundEngine.taskId(MODEL, 1, "a"), 1, 2, "k", 100, "fp32", Codecs.FP32.encode(p(1, 1))));

        RoundResult r = round.get(10, TimeUnit.SECONDS);

        assertThat(registry.requireCurrent(MODEL).version()).isEqualTo(1);
        assertThat(registry.requireVersion(MODEL, r.version()).stage()).isEqualTo(Stage.CANDIDATE);
    }

    @Test
    void aRestartedEngine_resumesTheOpenRoundWithTheUpdatesItHadAccepted() throws Exception {
        startEngine(3, 3, Duration.ofSeconds(30));
        Future<RoundResult> round = roundInBackground();
        intake.submit(update("a", "ka", 2, 2));
        round.cancel(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.acceptedInOpenRound() < 0);
        engine.close();

        startEngine(3, 3, Duration.ofSeconds(30));
        assertThat(engine.recover()).isTrue();
        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);
        assertThatThrownBy(() -> intake.submit(update("a", "other", 1, 1))).isInstanceOf(UpdateConflictException.class);
        Future<RoundResult> resumed = pool.submit(() -> engine.runRound());
        await().atMost(Duration.ofSeconds(5)).until(() -> tasked.stream().filter("a"::equals).count() == 1 && tasked.size() == 5);
        intake.submit(update("b", "kb", 2, 2));
        intake.submit(update("c", "kc", 2, 2));

        RoundResult r = resumed.get(10, TimeUnit.SECONDS);
        assertThat(r.resumed()).isTrue();
        assertThat(r.accepted()).isEqualTo(3);
        assertThat(registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data()).containsExactly(12f, 12f);
    }
}
