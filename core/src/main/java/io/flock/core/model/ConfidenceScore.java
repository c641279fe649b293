package io.flock.core.model;

/**
 * How sure a model is of one answer, from its class probabilities; higher is surer. A device offloads an answer whose
 * score is below its threshold, and the coordinator calibrates that threshold with the same score, so both sides
 * compute it here.
 */
public enum ConfidenceScore {
    /** The largest probability. */
    MAX_PROBABILITY,
    /** The largest probability minus the second largest. */
    MARGIN,
    /** Minus the entropy in nats (0 for a one-hot answer, -ln(classes) for a uniform one). */
    NEGATIVE_ENTROPY;

    /** @return the score of {@code classes} probabilities from {@code at} */
    public double of(float[] p, int at, int classes) {
        switch (this) {
            case MAX_PROBABILITY -> {
                float best = p[at];
                for (int c = 1; c < classes; c++) {
                    best = Math.max(best, p[at + c]);
                }
                return best;
            }
            case MARGIN -> {
                float first = Float.NEGATIVE_INFINITY;
                float second = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    float v = p[at + c];
                    if (v > first) {
                        second = first;
                        first = v;
                    } else if (v > second) {
                        second = v;
                    }
                }
                return first - second;
            }
            default -> {
                double h = 0;
                for (int c = 0; c < classes; c++) {
                    double v = p[at + c];
                    h -= v > 0 ? v * Math.log(v) : 0;
                }
                return -h;
            }
        }
    }
}
