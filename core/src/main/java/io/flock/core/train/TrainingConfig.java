package io.flock.core.train;

import io.flock.core.InvalidInputException;

/**
 * Local training hyper-parameters (plain SGD).
 *
 * @param learningRate SGD step size, finite and > 0
 * @param batchSize    samples per step, >= 1
 * @param epochs       passes over the local data, >= 1
 */
public record TrainingConfig(float learningRate, int batchSize, int epochs) {
    /** Validates ranges, naming the bad value. */
    public TrainingConfig {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new InvalidInputException("learning-rate must be finite and > 0, got " + learningRate);
        }
        if (batchSize < 1) {
            throw new InvalidInputException("batch-size must be >= 1, got " + batchSize);
        }
        if (epochs < 1) {
            throw new InvalidInputException("local-epochs must be >= 1, got " + epochs);
        }
    }
}
