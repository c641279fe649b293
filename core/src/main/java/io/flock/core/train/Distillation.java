package io.flock.core.train;

import io.flock.core.InvalidInputException;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean, 2015): a student learns from its labels and from a teacher's soft
 * targets, the teacher's class probabilities softened at temperature T, {@code q = softmax(z_teacher / T)}. Per
 * example the loss is
 * <pre>
 *   (1 - alpha) * CE(label, softmax(z)) + alpha * T^2 * KL(q || softmax(z / T))
 * </pre>
 * and its gradient with respect to the student's logits z is
 * {@code (1 - alpha) * (softmax(z) - onehot(label)) + alpha * T * (softmax(z / T) - q)}: the T^2 keeps the soft
 * part's gradient on the scale of the hard part's as T grows. Immutable and thread-safe.
 *
 * @param temperature T, finite and > 0 (1 = the teacher's own probabilities)
 * @param alpha       weight of the soft part in [0, 1] (0 = labels only, 1 = teacher only)
 */
public record Distillation(float temperature, float alpha) {
    /** Validates the settings, naming the bad value. */
    public Distillation {
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new InvalidInputException("distillation temperature must be finite and > 0, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new InvalidInputException("distillation alpha must be in [0, 1], got " + alpha);
        }
    }

    /**
     * Softens a teacher's probabilities in place: {@code q_c = p_c^(1/T) / sum_k p_k^(1/T)}, which is
     * {@code softmax(z / T)} of the teacher's logits z (the teacher's normaliser cancels).
     *
     * @param probabilities rows of {@code classes} probabilities, row-major; overwritten with the soft targets
     */
    public void soften(float[] probabilities, int classes) {
        for (int at = 0; at < probabilities.length; at += classes) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, Math.log(Math.max(probabilities[at + c], Float.MIN_VALUE)) / temperature);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(Math.log(Math.max(probabilities[at + c], Float.MIN_VALUE)) / temperature - max);
            }
            for (int c = 0; c < classes; c++) {
                probabilities[at + c] = (float) (Math.exp(Math.log(Math.max(probabilities[at + c], Float.MIN_VALUE)) / temperature - max)
                        / sum);
            }
        }
    }

    /**
     * The loss of one example and its gradient with respect to the logits.
     *
     * @param logits   the student's logits, {@code classes} from {@code at}
     * @param label    the example's class
     * @param soft     soft targets, {@code classes} from {@code softAt}
     * @param gradient receives the gradient times {@code scale} ({@code classes} values from 0)
     * @param scale    1 / batch size, for a batch's mean loss
     * @return the example's loss (KL, not cross-entropy, for the soft part: 0 when the student matches the teacher)
     */
    public double lossAndGradient(float[] logits, int at, int classes, int label, float[] soft, int softAt, float[] gradient,
                                  float scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[at + c]);
        }
        double sum = 0;
        double sumT = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[at + c] - max);
            sumT += Math.exp((logits[at + c] - max) / temperature);
        }
        double logSum = Math.log(sum);
        double logSumT = Math.log(sumT);
        double hard = logSum - (logits[at + label] - max);
        double kl = 0;
        for (int c = 0; c < classes; c++) {
            double p = Math.exp(logits[at + c] - max - logSum);
            double logPT = (logits[at + c] - max) / temperature - logSumT;
            double q = soft[softAt + c];
            if (q > 0) {
                kl += q * (Math.log(q) - logPT);
            }
            double g = (1 - alpha) * (p - (c == label ? 1 : 0)) + alpha * temperature * (Math.exp(logPT) - q);
            gradient[c] = (float) (g * scale);
        }
        return (1 - alpha) * hard + alpha * temperature * temperature * kl;
    }
}
