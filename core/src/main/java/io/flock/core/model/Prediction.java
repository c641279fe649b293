package io.flock.core.model;

import io.flock.core.train.LocalTrainer;

/**
 * One model answer.
 *
 * @param label         most probable class
 * @param probabilities class probabilities, summing to ~1
 * @param model         model name that answered
 * @param version       version that answered
 */
public record Prediction(int label, float[] probabilities, String model, long version) {
    /** @return the prediction for one row of probabilities */
    public static Prediction of(float[] probabilities, String model, long version) {
        return new Prediction(LocalTrainer.argmax(probabilities, 0, probabilities.length), probabilities, model, version);
    }

    /** @return the largest probability, the model's confidence in its label */
    public float confidence() {
        return probabilities[label];
    }
}
