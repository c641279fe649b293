package io.flock.agent.training;

import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.Distillation;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.SecureAggregationPlan;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.util.Optional;

/**
 * Decides whether this agent can honour every field of a train task's plan. The agent trains with
 * plain SGD, on the FedProx objective when {@code proximal_mu} is in [0, {@value #MAX_PROXIMAL_MU}]; clips its delta to
 * {@code clip_norm} and adds {@code noise_multiplier} x clip_norm Gaussian noise when asked (differential privacy), and
 * masks it when the task is secure (with a consistent secure plan). A plan that asks for anything else (noise without a
 * clip norm, another optimizer, an unknown codec, a teacher without valid distillation settings, a proximal mu out of range, an
 * inconsistent secure plan) or
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
        if (!(c.getClipNorm() >= 0) || !Float.isFinite(c.getClipNorm())) {
            return Optional.of("clip_norm=" + c.getClipNorm() + " must be finite and >= 0");
        }
        if (!(c.getNoiseMultiplier() >= 0) || !Float.isFinite(c.getNoiseMultiplier()) || (c.getNoiseMultiplier() > 0 && c.getClipNorm() == 0)) {
            return Optional.of("noise_multiplier=" + c.getNoiseMultiplier() + " must be finite and >= 0, and needs a clip_norm");
        }
        Optional<String> secure = secure(task);
        if (secure.isPresent()) {
            return secure;
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

    /** A secure round's plan must name a valid place in a valid protocol; a plan without secure_aggregation must not. */
    private static Optional<String> secure(TrainTask task) {
        if (!task.getSecureAggregation()) {
            return task.hasSecurePlan() ? Optional.of("secure_plan is set but secure_aggregation is false") : Optional.empty();
        }
        if (!task.hasSecurePlan()) {
            return Optional.of("secure_aggregation=true needs a secure_plan");
        }
        SecureAggregationPlan p = task.getSecurePlan();
        int n = p.getParticipants();
        if (n < 2 || p.getParticipantIndex() < 0 || p.getParticipantIndex() >= n) {
            return Optional.of("secure_plan: participant_index=" + p.getParticipantIndex() + " of participants=" + n
                    + " (need 2 or more participants and an index in 0..participants-1)");
        }
        if (p.getNeighbours() < 1 || p.getNeighbours() > n - 1 || p.getThreshold() < 1 || p.getThreshold() > p.getNeighbours()) {
            return Optional.of("secure_plan: neighbours=" + p.getNeighbours() + ", threshold=" + p.getThreshold()
                    + " (need 1 <= threshold <= neighbours <= participants - 1)");
        }
        if (!(p.getClipRange() > 0) || !Float.isFinite(p.getClipRange()) || Math.floor(Integer.MAX_VALUE / (n * (double) p.getClipRange())) < 1) {
            return Optional.of("secure_plan: clip_range=" + p.getClipRange() + " must be finite, > 0 and fit the ring for " + n
                    + " participants");
        }
        if (!p.getUniformWeights() && p.getMaxExamples() < 1) {
            return Optional.of("secure_plan: max_examples=" + p.getMaxExamples() + " must be >= 1 when weights are not uniform");
        }
        return Optional.empty();
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
}
