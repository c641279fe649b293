package io.flock.core.train;

/**
 * Accuracy and loss on a labelled set.
 *
 * @param accuracy fraction correct, 0..1
 * @param loss     mean cross-entropy
 * @param samples  how many samples were scored
 */
public record Evaluation(double accuracy, double loss, int samples) {
}
