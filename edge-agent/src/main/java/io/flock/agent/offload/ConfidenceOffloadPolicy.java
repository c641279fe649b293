package io.flock.agent.offload;

import io.flock.core.model.Prediction;

/**
 * Offloads when the local model's confidence (its largest class probability) is below a threshold.
 *
 * @param threshold 0..1; 0 never offloads, 1 offloads almost everything
 */
public record ConfidenceOffloadPolicy(double threshold) implements OffloadPolicy {
    @Override
    public boolean shouldOffload(Prediction local) {
        return local.confidence() < threshold;
    }
}
