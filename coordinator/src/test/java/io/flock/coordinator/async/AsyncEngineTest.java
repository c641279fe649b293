package io.flock.coordinator.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.intake.ByteBudget;
import io.flock.coordinator.intake.IntakeEvents;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.intake.UpdateIntake;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundPlan;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.round.TaskSender;
import io.flock.coordinator.store.JdbcFlockStore;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The buffered asynchronous engine behind the real intake, on H2; tasks are recorded where MQTT would carry them. */
class AsyncEngineTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    private static final List<String> DEVICES = List.of("a", "b", "c", "d", "e");
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private ModelRegistry registry;
    private UpdateIntake intake;
    private AsyncEngine engine;
    private final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool = Executors.newCachedThreadPool();

    /** A task as the engine handed it to the transport. */
    private record Sent(String device, long window, long base) {
    }

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("flock").toAbsolutePath() + ";DB_CLOSE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")), List.of(CompressionPipeline.parse("fp32")), 20);
        DeviceRegistry devices = new DeviceRegistry(store, "");
        for (String d : DEVICES) {
            devices.register(d, "jvm", "");
            devices.statusChanged(d, true);
        }
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(64L << 20));
        TaskSender recorder = (round, base, plan, ds, deadline) -> {
            ds.forEach(d -> sent.add(new Sent(d, round.round(), base.version())));
            return List.of();
        };
        engine = new AsyncEngine(new RoundPlan(MODEL, SPEC, PIPELINE, 1, 1, 1, Duration.ofSeconds(20), 0), config, store, registry,
                devices, Strategy.fedAvg(PLAN, 1f), recorder, null, r -> { });
        intake.register(MODEL, engine);
    }

    private AsyncConfig config = new AsyncConfig(true, 2, 3, 1, "sqrt", 0.5, Duration.ofSeconds(30));

    private void reopen() throws Exception {
        engine.stop();
        engine.close();
        store.close();
        sent.clear();
        open();
    }

    private void publishFirst(float... params) {
        ModelVersion v1 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, p(params), null));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        if (engine != null) {
            engine.stop();
            engine.close();
        }
        store.close();
    }

    private Future<RoundResult> versionInBackground() {
        return pool.submit(() -> engine.runRound());
    }

    private Sent task(String device) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(s -> s.device().equals(device)));
        synchronized (sent) {
            return sent.stream().filter(s -> s.device().equals(device)).reduce((x, y) -> y).orElseThrow();
        }
    }

    private Receipt submit(Sent t, String key, long examples, float... delta) {
        return intake.submit(new UpdateSubmission(t.device(), MODEL, RoundEngine.taskId(MODEL, t.window(), t.device()), t.window(), t.base(),
                key, examples, "fp32", Codecs.FP32.encode(p(delta))));
    }

    private float[] current() {
        return registry.globalParameters(registry.requireCurrent(MODEL)).tensors().get(0).data();
    }

    private List<String> busy() {
        synchronized (sent) {
            return sent.stream().map(Sent::device).toList();
        }
    }

    @Test
    void everyKUpdates_aVersion_weightedByExamplesAndStaleness_andConcurrencyStaysBounded() throws Exception {
        open();
        publishFirst(10, 10);
        Future<RoundResult> first = versionInBackground();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 3);
        Thread.sleep(100);
        assertThat(sent).as("async.concurrency=3 of 5 devices").hasSize(3);
        List<String> firstThree = busy();
        Sent stale = task(firstThree.get(0));
        submit(task(firstThree.get(1)), "k1", 1, 2, 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 4); // its slot went to an idle device
        assertThat(engine.training()).isEqualTo(3);
        assertThat(first).as("1 of K=2").isNotDone();
        submit(task(firstThree.get(2)), "k2", 3, 0, 4);
        RoundResult v2 = first.get(10, TimeUnit.SECONDS);

        assertThat(v2.accepted()).isEqualTo(2);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(current()).as("10 + (1*2 + 3*0)/4, 10 + (1*0 + 3*4)/4").containsExactly(10.5f, 13f);

        Future<RoundResult> second = versionInBackground();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().anyMatch(s -> s.base() == 2));
        assertThat(engine.training()).isEqualTo(3);
        Sent fresh = sent.stream().filter(s -> s.base() == 2).findFirst().orElseThrow();
        Receipt r = submit(stale, "k3", 2, 4, 4); // trained from version 1, one version ago: weight 1/(1+sqrt(1)) = 0.5
        assertThat(r.outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        submit(fresh, "k4", 2, 0, -2);
        RoundResult v3 = second.get(10, TimeUnit.SECONDS);

        assertThat(v3.version()).isEqualTo(3);
        // (2*0.5*(4,4) + 2*1*(0,-2)) / (2+2) = (1, 0)
        assertThat(current()).containsExactly(11.5f, 13f);
    }

    @Test
    void hostileUpdates_unknownBase_tooStale_noTask_wrongBase_conflict_refusedWithNothingChanged() throws Exception {
        config = new AsyncConfig(true, 1, 5, 1, "sqrt", 0.5, Duration.ofSeconds(30));
        open();
        publishFirst(0, 0);
        Future<RoundResult> v2 = versionInBackground();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 5);
        List<Sent> onV1 = List.copyOf(sent);
        submit(onV1.get(0), "x", 1, 1, 1);
        v2.get(10, TimeUnit.SECONDS);
        Future<RoundResult> v3 = versionInBackground();
        submit(onV1.get(1), "y", 1, 1, 1); // one version old: accepted, and makes version 3
        v3.get(10, TimeUnit.SECONDS);
        float[] before = current();
        int pending = store.pendingUpdates(MODEL).size();

        Sent old = onV1.get(2);
        assertThatThrownBy(() -> submit(old, "z", 1, 1, 1)).isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("2 versions ago; async.max-staleness=1")
                .extracting(e -> ((RoundClosedException) e).reason()).isEqualTo("too_stale");
        Sent unknown = new Sent(onV1.get(3).device(), onV1.get(3).window(), 999);
        assertThatThrownBy(() -> submit(unknown, "u", 1, 1, 1)).isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("version 999, which this engine never produced")
                .extracting(e -> ((RoundClosedException) e).reason()).isEqualTo("unknown_base");
        Sent never = new Sent("e", 77, 3);
        assertThatThrownBy(() -> submit(never, "n", 1, 1, 1)).extracting(e -> ((RoundClosedException) e).reason()).isEqualTo("no_task");
        assertThatThrownBy(() -> submit(onV1.get(0), "x2", 1, 5, 5)).as("a second, different update of an answered task")
                .isInstanceOf(UpdateConflictException.class);
        assertThat(submit(onV1.get(0), "x", 1, 1, 1).outcome()).as("the same one again").isEqualTo(Receipt.Outcome.DUPLICATE);

        assertThat(current()).containsExactly(before);
        assertThat(store.pendingUpdates(MODEL)).hasSize(pending);
        assertThat(engine.acceptedInOpenRound()).isZero();
    }

    @Test
    void acceptedUpdates_surviveARestart_andGoIntoTheNextVersionWithTheirStaleness() throws Exception {
        config = new AsyncConfig(true, 2, 2, 3, "polynomial", 1, Duration.ofSeconds(30));
        open();
        publishFirst(0, 0);
        Future<RoundResult> v2 = versionInBackground();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 2);
        Sent slow = sent.get(0);
        submit(sent.get(1), "a1", 1, 2, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 3); // its slot went to another device
        submit(sent.get(2), "a2", 1, 2, 2);
        v2.get(10, TimeUnit.SECONDS);     // version 2 = (2, 2)
        Future<RoundResult> v3 = versionInBackground();
        submit(slow, "s", 4, 3, -3);       // one version old: weight 4 * 1/(1+1) = 2, buffered
        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);

        reopen();
        assertThat(v3).isDone();
        assertThat(engine.recover()).isTrue();
        assertThat(engine.acceptedInOpenRound()).isEqualTo(1);
        Future<RoundResult> again = versionInBackground();
        await().atMost(Duration.ofSeconds(10)).until(() -> !sent.isEmpty());
        Sent next = sent.get(0);
        assertThat(next.base()).isEqualTo(2);
        assertThat(next.device()).as("the device whose update is buffered is not sent another").isNotEqualTo(slow.device());
        submit(next, "n", 4, 1, 1);
        RoundResult v = again.get(10, TimeUnit.SECONDS);

        assertThat(v.accepted()).isEqualTo(2);
        // (4*0.5*(3,-3) + 4*1*(1,1)) / 8 = (1.25, -0.25), on (2, 2)
        assertThat(current()).containsExactly(3.25f, 1.75f);
    }

    @Test
    void aRefusedTask_freesItsSlot_forAnotherDevice() throws Exception {
        config = new AsyncConfig(true, 5, 1, 3, "sqrt", 0.5, Duration.ofSeconds(30));
        open();
        publishFirst(0, 0);
        versionInBackground();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 1);
        Thread.sleep(100);
        assertThat(sent).hasSize(1);
        Sent first = sent.get(0);
        assertThat(engine.taskRejected(first.device(), first.window(), "not-its-task")).isFalse();
        assertThat(engine.taskRejected(first.device(), first.window(), RoundEngine.taskId(MODEL, first.window(), first.device()))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 2);
        assertThat(sent.get(1).device()).as("not sent twice in one window").isNotEqualTo(first.device());
    }
}
