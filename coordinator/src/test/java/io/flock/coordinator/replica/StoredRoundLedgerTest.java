package io.flock.coordinator.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.strategy.Strategy;
import io.flock.coordinator.strategy.TrainingPlan;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that does not hold the lease takes an upload for the holder's round through the store: every hostile case
 * answers as the holder would and stores nothing. H2 in memory stands in for the shared database (the seal that needs
 * PostgreSQL is in ReplicaIntakeIT).
 */
class StoredRoundLedgerTest {
    private static final String MODEL = "m";
    private static final ModelSpec SPEC = ModelSpec.parse("mlp:4-2");
    private static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    @TempDir
    Path dir;
    private JdbcFlockStore store;
    private RoundEngine engine;
    private UpdateIntake intake;

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @BeforeEach
    void open() throws Exception {
        store = new JdbcFlockStore("jdbc:h2:mem:" + dir.getFileName() + ";DB_CLOSE_DELAY=-1");
        ModelRegistry registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")),
                List.of(CompressionPipeline.parse("fp32")), 20);
        DeviceRegistry devices = new DeviceRegistry(store, "");
        for (String d : List.of("a", "b", "c")) {
            devices.register(d, "jvm", "");
        }
        ModelVersion v1 = registry.publish(MODEL, Candidate.of(SPEC, PIPELINE, p(10, 10), null));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
        Strategy strategy = Strategy.fedAvg(PLAN, 1f);
        engine = new RoundEngine(new RoundPlan(MODEL, SPEC, PIPELINE, 2, 2, 1, Duration.ofSeconds(30), 0), store, registry, devices,
                strategy, (round, base, plan, ds, deadline) -> List.of(), null, r -> { });
        engine.replicated(() -> false); // another replica holds the lease
        intake = new UpdateIntake(store, devices, 1 << 20, IntakeEvents.NONE, new ByteBudget(1 << 20));
        intake.register(MODEL, new StoredRoundLedger(MODEL, engine, store, registry, strategy));
        store.openRound(new RoundRecord(MODEL, 1, v1.version(), List.of("a", "b"), RoundRecord.OPEN, System.currentTimeMillis()));
    }

    @AfterEach
    void close() {
        engine.close();
        store.close();
    }

    private static UpdateSubmission update(String device, long round, String taskId, long base, String key, byte[] payload) {
        return new UpdateSubmission(device, MODEL, taskId, round, base, key, 100, "fp32", payload);
    }

    private static UpdateSubmission update(String device, String key, float... delta) {
        return update(device, 1, RoundEngine.taskId(MODEL, 1, device), 1, key, Codecs.FP32.encode(p(delta)));
    }

    @Test
    void submit_forTheHoldersOpenRound_isStoredAndAcknowledgedAccepted() {
        Receipt first = intake.submit(update("a", "ka", 1, -1));
        Receipt second = intake.submit(update("b", "kb", 2, 2));

        assertThat(first.outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(second.acceptedInRound()).isEqualTo(2);
        assertThat(store.updatedDevices(MODEL, 1)).containsExactly("a", "b");
    }

    @Test
    void submit_sameKeyAgain_isDuplicate_andStoresNothingMore() {
        intake.submit(update("a", "ka", 1, -1));

        Receipt again = intake.submit(update("a", "ka", 1, -1));

        assertThat(again.outcome()).isEqualTo(Receipt.Outcome.DUPLICATE);
        assertThat(store.updatedDevices(MODEL, 1)).containsExactly("a");
    }

    @Test
    void submit_secondUpdateUnderAnotherKey_isConflict_andKeepsTheFirst() {
        intake.submit(update("a", "ka", 1, -1));

        assertThatThrownBy(() -> intake.submit(update("a", "other", 5, 5))).isInstanceOf(UpdateConflictException.class);
        assertThat(store.updates(MODEL, 1)).singleElement().satisfies(u -> assertThat(u.idempotencyKey()).isEqualTo("ka"));
    }

    @Test
    void submit_wrongRound_unknownTask_orStaleBase_isRefusedWithItsReason_andStoresNothing() {
        byte[] payload = Codecs.FP32.encode(p(1, 1));

        assertReason(update("a", 2, RoundEngine.taskId(MODEL, 2, "a"), 1, "k1", payload), "wrong_round");
        assertReason(update("c", 1, RoundEngine.taskId(MODEL, 1, "c"), 1, "k2", payload), "no_task"); // c was not selected
        assertReason(update("a", 1, "r1-a-forged", 1, "k3", payload), "no_task");
        assertReason(update("a", 1, RoundEngine.taskId(MODEL, 1, "a"), 7, "k4", payload), "stale_base");
        assertThat(store.updatedDevices(MODEL, 1)).isEmpty();
    }

    @Test
    void submit_payloadOfAnotherLayout_isInvalid_andStoresNothing() {
        assertThatThrownBy(() -> intake.submit(update("a", "ka", 1, 2, 3))).isInstanceOf(InvalidInputException.class);
        assertThat(store.updatedDevices(MODEL, 1)).isEmpty();
    }

    @Test
    void submit_afterTheHolderFinishedTheRound_isNoRound_andStoresNothing() {
        store.finishRound(MODEL, 1, RoundRecord.CLOSED, 0, Double.NaN);

        assertReason(update("a", "ka", 1, -1), "no_round");
        assertThat(store.updatedDevices(MODEL, 1)).isEmpty();
    }

    @Test
    void submit_forASecureRoundRunElsewhere_isRefusedNotHere_andStoresNothing() throws Exception {
        ModelRegistry registry = new ModelRegistry(store, Ed25519Signer.loadOrCreate(dir.resolve("keys")),
                List.of(CompressionPipeline.parse("fp32")), 20);
        Strategy secure = Strategy.fedAvg(new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 1f, true), 1f);
        intake.register(MODEL, new StoredRoundLedger(MODEL, engine, store, registry, secure));

        assertReason(update("a", "ka", 1, -1), "not_here");
        assertThat(store.updatedDevices(MODEL, 1)).isEmpty();
    }

    private void assertReason(UpdateSubmission s, String reason) {
        assertThatThrownBy(() -> intake.submit(s)).isInstanceOfSatisfying(RoundClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
