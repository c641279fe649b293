package io.flock.agent.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.SecureAggregationPlan;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** One plan the coordinator sends today, then one field changed at a time. */
class PlanCheckTest {
    private static final SecureAggregationPlan SECURE = SecureAggregationPlan.newBuilder().setParticipantIndex(2).setParticipants(5)
            .setNeighbours(4).setThreshold(3).setClipRange(1).setMaxExamples(600).build();

    private final PlanCheck check = new PlanCheck(new PlanLimits(3, 64));

    private static TrainTask plan(UnaryOperator<TrainingConfig.Builder> training, UnaryOperator<TrainTask.Builder> task) {
        TrainingConfig.Builder c = TrainingConfig.newBuilder().setOptimizer("sgd").setLearningRate(0.1f).setBatchSize(10).setLocalEpochs(1);
        TrainTask.Builder t = TrainTask.newBuilder().setTaskId("r1-d1").setRound(1).setModel("m").setBaseVersion(1)
                .setUpdateCodec(CodecDescriptor.newBuilder().setName("fp32"));
        return task.apply(t.setTraining(training.apply(c))).build();
    }

    private static TrainTask training(UnaryOperator<TrainingConfig.Builder> training) {
        return plan(training, t -> t);
    }

    @Test
    void refusal_planTheCoordinatorSends_isAccepted() {
        assertThat(check.refusal(training(c -> c))).isEmpty();
        assertThat(check.refusal(training(c -> c.setOptimizer("").setBatchSize(64).setLocalEpochs(3)))).isEmpty();
        assertThat(check.refusal(plan(c -> c, t -> t.setUpdateCodec(CodecDescriptor.newBuilder().setName("int4-stochastic"))))).isEmpty();
        assertThat(check.refusal(plan(c -> c, t -> t.clearUpdateCodec()))).isEmpty();
    }

    @Test
    void refusal_teacher_validSettingsAccepted_badOnesNamed() {
        ModelAnnouncement cnn = ModelAnnouncement.newBuilder().setModel("t").setVersion(3).setSpec("cnn:28x28-4-8-16-10").build();

        assertThat(check.refusal(plan(c -> c.setDistillTemperature(4).setDistillAlpha(0.5f), t -> t.setTeacher(cnn)))).isEmpty();
        assertThat(check.refusal(plan(c -> c.setDistillTemperature(0).setDistillAlpha(0.5f), t -> t.setTeacher(cnn))))
                .hasValueSatisfying(r -> assertThat(r).startsWith("teacher: distillation temperature must be finite and > 0"));
        assertThat(check.refusal(plan(c -> c.setDistillTemperature(4).setDistillAlpha(1.5f), t -> t.setTeacher(cnn))))
                .hasValueSatisfying(r -> assertThat(r).contains("alpha must be in [0, 1]"));
        assertThat(check.refusal(plan(c -> c.setDistillTemperature(4).setDistillAlpha(0.5f),
                t -> t.setTeacher(cnn.toBuilder().setSpec("transformer:9"))))).hasValueSatisfying(r -> assertThat(r).startsWith("teacher: "));
        assertThat(check.refusal(plan(c -> c.setDistillTemperature(4).setDistillAlpha(0.5f),
                t -> t.setTeacher(cnn.toBuilder().setSpec("mlp:784-64r8-10"))))).hasValue("teacher spec mlp:784-64r8-10 is factorised; a teacher runs dense");
        assertThat(check.refusal(training(c -> c.setDistillTemperature(4))))
                .hasValue("distill_temperature/distill_alpha are set but the task names no teacher");
    }

    @Test
    void refusal_otherOptimizer_namesIt() {
        assertThat(check.refusal(training(c -> c.setOptimizer("adam")))).hasValue("optimizer='adam' is not supported by this agent (only sgd)");
    }

    @Test
    void refusal_learningRateZeroNegativeOrNotFinite_isRefused() {
        assertThat(check.refusal(training(c -> c.setLearningRate(0)))).hasValue("learning_rate=0.0 must be finite and > 0");
        assertThat(check.refusal(training(c -> c.setLearningRate(-0.1f)))).hasValueSatisfying(r -> assertThat(r).startsWith("learning_rate=-0.1 "));
        assertThat(check.refusal(training(c -> c.setLearningRate(Float.NaN)))).hasValueSatisfying(r -> assertThat(r).startsWith("learning_rate=NaN "));
        assertThat(check.refusal(training(c -> c.setLearningRate(Float.POSITIVE_INFINITY)))).isPresent();
    }

    @Test
    void refusal_batchSizeOutsideOneToMax_namesTheLimitKey() {
        assertThat(check.refusal(training(c -> c.setBatchSize(0)))).hasValue("batch_size=0 is outside 1..64 (training.max-batch-size)");
        assertThat(check.refusal(training(c -> c.setBatchSize(65)))).hasValue("batch_size=65 is outside 1..64 (training.max-batch-size)");
    }

    @Test
    void refusal_localEpochsOutsideOneToMax_namesTheLimitKey() {
        assertThat(check.refusal(training(c -> c.setLocalEpochs(0)))).hasValue("local_epochs=0 is outside 1..3 (training.max-local-epochs)");
        assertThat(check.refusal(training(c -> c.setLocalEpochs(4)))).hasValue("local_epochs=4 is outside 1..3 (training.max-local-epochs)");
    }

    @Test
    void refusal_proximalMuFromZeroToMax_isAccepted() {
        assertThat(check.refusal(training(c -> c.setProximalMu(0.01f)))).isEmpty();
        assertThat(check.refusal(training(c -> c.setProximalMu(1f)))).isEmpty();
        assertThat(check.refusal(training(c -> c.setProximalMu(10f)))).isEmpty();
    }

    @Test
    void refusal_proximalMuNegativeNaNOrHuge_isRefusedNamingIt() {
        assertThat(check.refusal(training(c -> c.setProximalMu(-0.01f)))).hasValue("proximal_mu=-0.01 must be in [0, 10.0]");
        assertThat(check.refusal(training(c -> c.setProximalMu(Float.NaN)))).hasValue("proximal_mu=NaN must be in [0, 10.0]");
        assertThat(check.refusal(training(c -> c.setProximalMu(Float.POSITIVE_INFINITY)))).hasValue("proximal_mu=Infinity must be in [0, 10.0]");
        assertThat(check.refusal(training(c -> c.setProximalMu(10.5f)))).hasValue("proximal_mu=10.5 must be in [0, 10.0]");
    }

    @Test
    void refusal_clipNormAndNoise_areHonoured() {
        assertThat(check.refusal(training(c -> c.setClipNorm(1.5f)))).isEmpty();
        assertThat(check.refusal(training(c -> c.setClipNorm(1.5f).setNoiseMultiplier(0.8f)))).isEmpty();
    }

    @Test
    void refusal_badClipNormOrNoiseWithoutClip_isRefusedNamingIt() {
        assertThat(check.refusal(training(c -> c.setClipNorm(-1f)))).hasValue("clip_norm=-1.0 must be finite and >= 0");
        assertThat(check.refusal(training(c -> c.setClipNorm(Float.NaN)))).hasValue("clip_norm=NaN must be finite and >= 0");
        assertThat(check.refusal(training(c -> c.setNoiseMultiplier(0.8f))))
                .hasValue("noise_multiplier=0.8 must be finite and >= 0, and needs a clip_norm");
    }

    @Test
    void refusal_secureWithValidPlan_isHonoured() {
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true).setSecurePlan(SECURE)))).isEmpty();
    }

    @Test
    void refusal_secureWithoutOrWithBadPlan_isRefusedNamingIt() {
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true)))).hasValue("secure_aggregation=true needs a secure_plan");
        assertThat(check.refusal(plan(c -> c, t -> t.setSecurePlan(SECURE)))).hasValue("secure_plan is set but secure_aggregation is false");
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true).setSecurePlan(SECURE.toBuilder().setParticipantIndex(5)))))
                .hasValue("secure_plan: participant_index=5 of participants=5 (need 2 or more participants and an index in 0..participants-1)");
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true).setSecurePlan(SECURE.toBuilder().setThreshold(5)))))
                .hasValue("secure_plan: neighbours=4, threshold=5 (need 1 <= threshold <= neighbours <= participants - 1)");
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true).setSecurePlan(SECURE.toBuilder().setClipRange(0)))))
                .hasValue("secure_plan: clip_range=0.0 must be finite, > 0 and fit the ring for 5 participants");
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true).setSecurePlan(SECURE.toBuilder().setMaxExamples(0)))))
                .hasValue("secure_plan: max_examples=0 must be >= 1 when weights are not uniform");
    }

    @Test
    void refusal_unknownCodecOrCodecOptions_isRefused() {
        assertThat(check.refusal(plan(c -> c, t -> t.setUpdateCodec(CodecDescriptor.newBuilder().setName("zstd")))))
                .hasValueSatisfying(r -> assertThat(r).startsWith("update_codec: unknown codec 'zstd', known: "));
        assertThat(check.refusal(plan(c -> c, t -> t.setUpdateCodec(CodecDescriptor.newBuilder().setName("int8").putOptions("k", "v")))))
                .hasValue("update_codec options {k=v} are not supported by this agent");
    }

    @Test
    void refusal_noTrainingConfigAtAll_isRefused() {
        assertThat(check.refusal(TrainTask.newBuilder().setTaskId("t").setRound(1).build())).hasValue("learning_rate=0.0 must be finite and > 0");
    }
}
