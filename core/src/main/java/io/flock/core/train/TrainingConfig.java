package io.flock.core.train;

import io.flock.core.InvalidInputException;

/**
 * Local training hyper-parameters: plain SGD, on the FedProx objective when {@code proximalMu > 0}.
 *
 * @param learningRate SGD step size, finite and > 0
 * @param batchSize    samples per step, >= 1
 * @param epochs       passes over the local data, >= 1
 * @param proximalMu   FedProx's mu (Li et al. 2020), finite and >= 0: the local objective becomes
 *                     {@code F(w) + (mu / 2) * ||w - w0||^2}, where {@code w0} is the parameters training starts
 *                     from (the round's base model). 0 = off, and then training is exactly plain SGD
 */
public record TrainingConfig(float learningRate, int batchSize, int epochs, float proximalMu) {
    /** The largest FedProx mu a plan may carry: the coordinator refuses more at start, an agent refuses such a task. */
    public static final float MAX_PROXIMAL_MU = 10f;

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
        if (!(proximalMu >= 0 && proximalMu <= MAX_PROXIMAL_MU)) {
            throw new InvalidInputException("proximal-mu must be in [0, " + MAX_PROXIMAL_MU + "], got " + proximalMu);
        }
    }

    /** Plain SGD, no proximal term. */
    public TrainingConfig(float learningRate, int batchSize, int epochs) {
        this(learningRate, batchSize, epochs, 0f);
    }
}
