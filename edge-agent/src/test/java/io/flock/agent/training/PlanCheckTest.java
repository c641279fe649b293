package io.flock.agent.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** One plan the coordinator sends today, then one field changed at a time. */
class PlanCheckTest {
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
    void refusal_clipNorm_isNotSupported() {
        assertThat(check.refusal(training(c -> c.setClipNorm(1.5f)))).hasValue("clip_norm=1.5 is not supported by this agent");
    }

    @Test
    void refusal_noiseMultiplier_isNotSupported() {
        assertThat(check.refusal(training(c -> c.setNoiseMultiplier(0.8f)))).hasValue("noise_multiplier=0.8 is not supported by this agent");
    }

    @Test
    void refusal_secureAggregation_isNotSupported() {
        assertThat(check.refusal(plan(c -> c, t -> t.setSecureAggregation(true))))
                .hasValue("secure_aggregation=true is not supported by this agent");
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
