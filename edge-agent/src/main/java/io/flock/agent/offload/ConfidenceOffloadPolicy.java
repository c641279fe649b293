package io.flock.agent.offload;

import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.Prediction;

/**
 * Offloads when the local model's {@link ConfidenceScore} is below a threshold: the score the coordinator calibrates
 * thresholds with.
 *
 * @param score     how confidence is measured
 * @param threshold offload below this score (for the largest probability, 0..1: 0 never offloads)
 */
public record ConfidenceOffloadPolicy(ConfidenceScore score, double threshold) implements OffloadPolicy {
    /** A policy on the largest class probability. */
    public ConfidenceOffloadPolicy(double threshold) {
        this(ConfidenceScore.MAX_PROBABILITY, threshold);
    }

    @Override
    public boolean shouldOffload(Prediction local) {
        return score.of(local.probabilities(), 0, local.probabilities().length) < threshold;
    }
}
