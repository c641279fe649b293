package io.flock.core.train;

import java.util.List;

/**
 * Accuracy and loss on a labelled set.
 *
 * @param accuracy fraction correct, 0..1
 * @param loss     mean cross-entropy
 * @param samples  how many samples were scored
 */
public record Evaluation(double accuracy, double loss, int samples) {
    /**
     * Scores of disjoint parts of one set, combined into the score of the whole.
     *
     * @param parts at least one; each weighs by its sample count
     */
    public static Evaluation combine(List<Evaluation> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to combine");
        }
        long correct = 0;
        double loss = 0;
        int samples = 0;
        for (Evaluation e : parts) {
            correct += Math.round(e.accuracy() * e.samples());
            loss += e.loss() * e.samples();
            samples += e.samples();
        }
        return new Evaluation((double) correct / samples, loss / samples, samples);
    }
}
