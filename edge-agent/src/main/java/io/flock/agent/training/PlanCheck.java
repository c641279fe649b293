package io.flock.agent.training;

import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.Distillation;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.util.Optional;

/**
 * Decides whether this agent can honour every field of a train task's plan. The agent trains with
 * plain SGD, on the FedProx objective when {@code proximal_mu} is in [0, {@value #MAX_PROXIMAL_MU}], and uploads an
 * unmasked, unclipped, noise-free delta; a plan that asks for anything else (client-side DP, secure aggregation,
 * another optimizer, an unknown codec, a teacher without valid distillation settings, a proximal mu out of range) or
 * exceeds the device's {@link PlanLimits} is refused instead of being trained differently from what was asked.
 * Stateless and thread-safe.
 */
public final class PlanCheck {
    /**
     * The largest FedProx mu accepted. Published settings run from 0.001 to 1; much larger, each step's pull
     * {@code lr * mu * (w - w0)} overshoots the start once {@code lr * mu > 1} and diverges past 2.
     */
    static final float MAX_PROXIMAL_MU = io.flock.core.train.TrainingConfig.MAX_PROXIMAL_MU;

    private final PlanLimits limits;

    /** @param limits the largest plan this device accepts */
    public PlanCheck(PlanLimits limits) {
        this.limits = limits;
    }

    /**
     * @return empty when the task can be trained as asked; otherwise why not, naming the first field
     *         that cannot be honoured and its value
     */
    public Optional<String> refusal(TrainTask task) {
        TrainingConfig c = task.getTraining();
        if (!c.getOptimizer().isEmpty() && !c.getOptimizer().equals("sgd")) {
            return Optional.of("optimizer='" + c.getOptimizer() + "' is not supported by this agent (only sgd)");
        }
        if (!Float.isFinite(c.getLearningRate()) || c.getLearningRate() <= 0) {
            return Optional.of("learning_rate=" + c.getLearningRate() + " must be finite and > 0");
        }
        if (c.getBatchSize() < 1 || c.getBatchSize() > limits.maxBatchSize()) {
            return Optional.of("batch_size=" + c.getBatchSize() + " is outside 1.." + limits.maxBatchSize()
                    + " (training.max-batch-size)");
        }
        if (c.getLocalEpochs() < 1 || c.getLocalEpochs() > limits.maxLocalEpochs()) {
            return Optional.of("local_epochs=" + c.getLocalEpochs() + " is outside 1.." + limits.maxLocalEpochs()
                    + " (training.max-local-epochs)");
        }
        if (!(c.getProximalMu() >= 0 && c.getProximalMu() <= MAX_PROXIMAL_MU)) {
            return Optional.of("proximal_mu=" + c.getProximalMu() + " must be in [0, " + MAX_PROXIMAL_MU + "]");
        }
        if (c.getClipNorm() != 0) {
            return unsupported("clip_norm=" + c.getClipNorm());
        }
        if (c.getNoiseMultiplier() != 0) {
            return unsupported("noise_multiplier=" + c.getNoiseMultiplier());
        }
        if (task.getSecureAggregation()) {
            return unsupported("secure_aggregation=true");
        }
        Optional<String> teacher = teacher(task);
        return teacher.isPresent() ? teacher : codec(task.getUpdateCodec());
    }

    /** A teacher must come with valid distillation settings and a dense spec; distillation settings need a teacher. */
    private static Optional<String> teacher(TrainTask task) {
        TrainingConfig c = task.getTraining();
        if (!task.hasTeacher()) {
            return c.getDistillTemperature() != 0 || c.getDistillAlpha() != 0
                    ? Optional.of("distill_temperature/distill_alpha are set but the task names no teacher") : Optional.empty();
        }
        try {
            new Distillation(c.getDistillTemperature(), c.getDistillAlpha());
            ModelSpec teacher = ModelSpec.parse(task.getTeacher().getSpec());
            if (teacher.factorised()) {
                return Optional.of("teacher spec " + teacher + " is factorised; a teacher runs dense");
            }
            return Optional.empty();
        } catch (InvalidInputException e) {
            return Optional.of("teacher: " + e.getMessage());
        }
    }

    private static Optional<String> codec(CodecDescriptor codec) {
        if (!codec.getOptionsMap().isEmpty()) {
            return Optional.of("update_codec options " + codec.getOptionsMap() + " are not supported by this agent");
        }
        String name = codec.getName();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            Codecs.byName(name);
            return Optional.empty();
        } catch (InvalidInputException e) {
            return Optional.of("update_codec: " + e.getMessage());
        }
    }

    private static Optional<String> unsupported(String field) {
        return Optional.of(field + " is not supported by this agent");
    }
}
