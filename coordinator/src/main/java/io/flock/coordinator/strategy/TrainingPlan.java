package io.flock.coordinator.strategy;

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
 */
public record TrainingPlan(TrainingConfig training, String updateCodec, float proximalMu, float clipNorm, boolean secure,
                           Teacher teacher) {
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
        this(training, updateCodec, proximalMu, clipNorm, secure, null);
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
    }
}
