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

    /** @return the score's name on the wire and in configuration: max-probability, margin or negative-entropy */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * @param name a {@link #wireName()}
     * @throws io.flock.core.InvalidInputException naming the known scores for any other name
     */
    public static ConfidenceScore parse(String name) {
        for (ConfidenceScore s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new io.flock.core.InvalidInputException("unknown confidence score '" + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
                + "' (known: max-probability, margin, negative-entropy)");
    }

    /**
     * @return whether {@code threshold} can be a threshold on this score: finite, and within the score's range for any
     *         number of classes (max probability and margin 0..1; negative entropy -50..0), a step above allowed for
     *         "offload everything"
     */
    public boolean admits(double threshold) {
        double low = this == NEGATIVE_ENTROPY ? -50 : 0;
        double high = this == NEGATIVE_ENTROPY ? 0 : 1;
        return Double.isFinite(threshold) && threshold >= low && threshold <= Math.nextUp(high);
    }

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
