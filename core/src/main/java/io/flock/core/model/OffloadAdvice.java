package io.flock.core.model;

import io.flock.core.InvalidInputException;

/**
 * When a device should offload an answer to the cloud model: when its {@link ConfidenceScore} is below the threshold.
 * The coordinator calibrates it on held-out data for one device-model version and announces it with that version;
 * the expectations say what the calibration set showed at this threshold.
 *
 * @param score          how confidence is measured
 * @param threshold      offload below this score
 * @param offloadRate    share of the calibration set offloaded, 0..1
 * @param hybridAccuracy accuracy on the calibration set with the offloaded answers from the cloud model, 0..1
 * @param localAccuracy  the device model alone, 0..1
 * @param cloudAccuracy  the cloud model alone, 0..1
 * @param cloudModel     the model that answers offloads
 * @param cloudVersion   its version
 */
public record OffloadAdvice(ConfidenceScore score, double threshold, double offloadRate, double hybridAccuracy, double localAccuracy,
                            double cloudAccuracy, String cloudModel, long cloudVersion) {
    /** @throws InvalidInputException when the threshold is outside its score's range or a share is not in 0..1 */
    public OffloadAdvice {
        if (score == null || !score.admits(threshold)) {
            throw new InvalidInputException("offload threshold " + threshold + " is not a threshold on " + (score == null ? "no score"
                    : score.wireName()));
        }
        for (double share : new double[] {offloadRate, hybridAccuracy, localAccuracy, cloudAccuracy}) {
            if (!(share >= 0 && share <= 1)) {
                throw new InvalidInputException("offload advice share " + share + " is not in 0..1");
            }
        }
    }

    /** @return whether an answer with these probabilities should go to the cloud */
    public boolean offloads(float[] probabilities) {
        return score.of(probabilities, 0, probabilities.length) < threshold;
    }
}
