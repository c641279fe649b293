package io.flock.coordinator.strategy;

import io.flock.coordinator.secagg.SecAggConfig;
import io.flock.core.InvalidInputException;
import io.flock.core.codec.Codecs;
import io.flock.core.train.Distillation;
import io.flock.core.train.TrainingConfig;

/**
 * What a round asks each device to do: the configure step's output, sent in every train task. A device
 * honours every field or rejects the task with a reason; nothing is silently dropped.
 *
 * @param training    local SGD settings
 * @param updateCodec codec the device encodes its update with
 * @param proximalMu  FedProx proximal term, 0 = off
 * @param clipNorm    L2 norm each update is clipped to, 0 = off
 * @param secure      whether updates are masked for secure aggregation
 * @param teacher     knowledge distillation from another registry model, computed on each device; null = none
 * @param deviceNoise local differential privacy: each device adds Gaussian noise of deviceNoise x clipNorm to its
 *                    clipped update; 0 = off (needs clipNorm > 0 otherwise)
 * @param secAgg      how a secure round runs (used when {@code secure})
 */
public record TrainingPlan(TrainingConfig training, String updateCodec, float proximalMu, float clipNorm, boolean secure,
                           Teacher teacher, float deviceNoise, SecAggConfig secAgg) {
    /**
     * A teacher whose soft targets devices learn from: the production version of a registry model.
     *
     * @param model        the teacher's model name
     * @param distillation temperature and mixing weight
     */
    public record Teacher(String model, Distillation distillation) {
    }

    /** A plan without a teacher. */
    public TrainingPlan(TrainingConfig training, String updateCodec, float proximalMu, float clipNorm, boolean secure) {
        this(training, updateCodec, proximalMu, clipNorm, secure, null, 0f, SecAggConfig.defaults());
    }

    /** @return the range a secure round clamps each coordinate to: the clip norm C when set (it bounds every coordinate), else secagg.clip-range */
    public float secureRange() {
        return clipNorm > 0 ? clipNorm : secAgg.clipRange();
    }

    /**
     * @return whether a secure round weighs every device equally: with a clip norm (the sensitivity analysis of
     *         differential privacy needs equal weights), else by examples
     */
    public boolean uniformWeights() {
        return clipNorm > 0;
    }

    /** @return this plan with a secure-aggregation setting */
    public TrainingPlan withSecure(boolean on) {
        return new TrainingPlan(training, updateCodec, proximalMu, clipNorm, on, teacher, deviceNoise, secAgg);
    }

    /** Validates the codec name and the ranges. */
    public TrainingPlan {
        Codecs.byName(updateCodec);
        if (!(proximalMu >= 0 && proximalMu <= TrainingConfig.MAX_PROXIMAL_MU)) {
            throw new InvalidInputException("proximal-mu must be in [0, " + TrainingConfig.MAX_PROXIMAL_MU + "], got " + proximalMu);
        }
        if (!(clipNorm >= 0) || !Float.isFinite(clipNorm)) {
            throw new InvalidInputException("clip-norm must be finite and >= 0, got " + clipNorm);
        }
        if (!(deviceNoise >= 0) || !Float.isFinite(deviceNoise) || (deviceNoise > 0 && clipNorm == 0)) {
            throw new InvalidInputException("device noise must be finite and >= 0, and needs a clip norm, got " + deviceNoise
                    + " with clip-norm " + clipNorm);
        }
    }
}
