package io.flock.core.stats;

import io.flock.core.InvalidInputException;
import java.util.Arrays;
import java.util.List;

/**
 * One telemetry window's drift statistics: how many inputs fell into each bin of each {@link InputProjections}
 * projection, how often each label was predicted, how the confidence (the largest softmax probability) was spread over
 * {@link #CONFIDENCE_BINS} equal bins of [0, 1] with its exact sum, and how much feedback the apps reported and how
 * much of it said the answer was wrong. An edge agent fills one per window and reports the counts; the coordinator
 * rebuilds it with {@link #of} and compares it with a reference (e.g. {@link Psi}, {@link ChiSquare}). Sketches with
 * the same edges and classes {@link #merge} into the sketch of the union of their inputs.
 *
 * <p>Not thread-safe: callers serialise every call on one sketch (the getters return copies).
 */
public final class DriftSketch {
    /** How many equal bins of [0, 1] the confidence falls into: bin floor(10·c) in double, 1.0 in the last. */
    public static final int CONFIDENCE_BINS = 10;

    private final List<BinEdges> edges;
    private final int classes;
    private final long[][] projectionCounts;
    private final long[] labelCounts;
    private final long[] confidenceCounts = new long[CONFIDENCE_BINS];
    private long count;
    private double confidenceSum;
    private long feedbackCount;
    private long feedbackErrors;

    private final double[] projected = new double[InputProjections.count()];
    private final int[] projectedBins = new int[InputProjections.count()];

    /**
     * An empty sketch.
     *
     * @param projectionEdges the bins of each projection, one per {@link InputProjections#NAMES} in that order
     * @param classes         how many labels the model predicts, ≥ 1
     * @throws InvalidInputException for a null edge list or element, a list of another size, or classes below 1
     */
    public DriftSketch(List<BinEdges> projectionEdges, int classes) {
        if (projectionEdges == null || projectionEdges.stream().anyMatch(e -> e == null)) {
            throw new InvalidInputException("projection edges must be a list without nulls, got " + projectionEdges);
        }
        if (projectionEdges.size() != InputProjections.count()) {
            throw new InvalidInputException("need edges for each of the " + InputProjections.count() + " projections "
                    + InputProjections.NAMES + ", got " + projectionEdges.size());
        }
        if (classes < 1) {
            throw new InvalidInputException("classes must be >= 1, got " + classes);
        }
        this.edges = List.copyOf(projectionEdges);
        this.classes = classes;
        this.projectionCounts = new long[edges.size()][];
        for (int p = 0; p < projectionCounts.length; p++) {
            projectionCounts[p] = new long[edges.get(p).bins()];
        }
        this.labelCounts = new long[classes];
    }

    /**
     * Rebuilds a sketch from reported counts (what the coordinator receives), checking that they could have come from
     * a sketch with these edges and classes. The arrays are copied.
     *
     * @param edges            the bins of each projection, as in {@link #DriftSketch(List, int)}
     * @param classes          how many labels, ≥ 1
     * @param projectionCounts [projection][bin]: one row per edge, each as long as its edges' {@link BinEdges#bins()}
     * @param labelCounts      one per class
     * @param confidenceCounts {@link #CONFIDENCE_BINS} of them
     * @param count            inputs in the window, ≥ 0; every projection row, the label counts and the confidence
     *                         counts each sum to it
     * @param confidenceSum    sum of the inputs' confidences, finite, within [0, count]
     * @param feedbackCount    feedback labels reported, ≥ 0
     * @param feedbackErrors   of which said wrong, 0 .. feedbackCount
     * @return the sketch
     * @throws InvalidInputException naming the field and values for any shape mismatch, negative count, sum that is
     *                               not {@code count} (or overflows), or a confidence sum or feedback error count out
     *                               of range; also as the constructor for bad edges or classes
     */
    public static DriftSketch of(List<BinEdges> edges, int classes, long[][] projectionCounts, long[] labelCounts,
            long[] confidenceCounts, long count, double confidenceSum, long feedbackCount, long feedbackErrors) {
        DriftSketch s = new DriftSketch(edges, classes);
        if (count < 0) {
            throw new InvalidInputException("count must be >= 0, got " + count);
        }
        if (projectionCounts == null || projectionCounts.length != s.projectionCounts.length) {
            throw new InvalidInputException("projectionCounts must have " + s.projectionCounts.length + " rows, got "
                    + (projectionCounts == null ? "null" : projectionCounts.length));
        }
        for (int p = 0; p < projectionCounts.length; p++) {
            String field = "projectionCounts[" + p + "] (" + InputProjections.NAMES.get(p) + ")";
            copyChecked(field, projectionCounts[p], s.projectionCounts[p], count);
        }
        copyChecked("labelCounts", labelCounts, s.labelCounts, count);
        copyChecked("confidenceCounts", confidenceCounts, s.confidenceCounts, count);
        if (!Double.isFinite(confidenceSum) || confidenceSum < 0 || confidenceSum > count) {
            throw new InvalidInputException("confidenceSum must be finite and within [0, count = " + count + "], got "
                    + confidenceSum);
        }
        if (feedbackCount < 0) {
            throw new InvalidInputException("feedbackCount must be >= 0, got " + feedbackCount);
        }
        if (feedbackErrors < 0 || feedbackErrors > feedbackCount) {
            throw new InvalidInputException("feedbackErrors must be within [0, feedbackCount = " + feedbackCount
                    + "], got " + feedbackErrors);
        }
        s.count = count;
        s.confidenceSum = confidenceSum + 0.0;
        s.feedbackCount = feedbackCount;
        s.feedbackErrors = feedbackErrors;
        return s;
    }

    /** Copies {@code from} into {@code to} after checking its length, that no entry is negative and that it sums to count. */
    private static void copyChecked(String field, long[] from, long[] to, long count) {
        if (from == null || from.length != to.length) {
            throw new InvalidInputException(field + " must have " + to.length + " entries, got "
                    + (from == null ? "null" : from.length));
        }
        long sum = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i] < 0) {
                throw new InvalidInputException(field + "[" + i + "] must be >= 0, got " + from[i]);
            }
            sum += from[i];
            if (sum < 0) {
                throw new InvalidInputException(field + " overflows a long when summed (count is " + count + ")");
            }
        }
        if (sum != count) {
            throw new InvalidInputException(field + " must sum to count = " + count + ", got " + sum);
        }
        System.arraycopy(from, 0, to, 0, from.length);
    }

    /**
     * Counts one prediction: projects the input, counts each projection's bin, the predicted label and the confidence
     * bin, and adds the confidence to the sum. Nothing changes when it throws.
     *
     * @param features       the model input, after the model's feature pipeline; non-empty, finite
     * @param predictedLabel the predicted class, 0 .. classes - 1
     * @param confidence     the largest softmax probability, within [0, 1]
     * @throws InvalidInputException for a label out of range, a NaN or out-of-range confidence, an empty input, or an
     *                               input whose projections are NaN
     * @throws NullPointerException  for null features
     */
    public void add(float[] features, int predictedLabel, double confidence) {
        if (predictedLabel < 0 || predictedLabel >= classes) {
            throw new InvalidInputException("predicted label must be within [0, " + (classes - 1) + "], got "
                    + predictedLabel);
        }
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new InvalidInputException("confidence must be within [0, 1], got " + confidence);
        }
        InputProjections.project(features, projected);
        for (int p = 0; p < projected.length; p++) {
            if (Double.isNaN(projected[p])) {
                throw new InvalidInputException("projection " + InputProjections.NAMES.get(p)
                        + " of the input is NaN (a NaN or infinite feature)");
            }
            projectedBins[p] = edges.get(p).bin(projected[p]);
        }
        for (int p = 0; p < projectedBins.length; p++) {
            projectionCounts[p][projectedBins[p]]++;
        }
        labelCounts[predictedLabel]++;
        confidenceCounts[confidenceBin(confidence)]++;
        confidenceSum += confidence;
        count++;
    }

    /** @return the confidence bin of c in [0, 1]: floor(10·c), with 1.0 in the last bin */
    static int confidenceBin(double c) {
        return Math.min((int) (c * CONFIDENCE_BINS), CONFIDENCE_BINS - 1);
    }

    /**
     * Counts one feedback label an app reported for an earlier prediction.
     *
     * @param correct whether the prediction was right; a wrong one also counts as a feedback error
     */
    public void addFeedback(boolean correct) {
        feedbackCount++;
        if (!correct) {
            feedbackErrors++;
        }
    }

    /**
     * Adds another sketch's counts to this one's ({@code other} is unchanged; merging a sketch into itself doubles it).
     *
     * @param other a sketch with equal edges and the same classes
     * @throws InvalidInputException when the edges or classes differ, or the merged counts would overflow a long;
     *                               nothing changes then
     */
    public void merge(DriftSketch other) {
        if (other == null || !edges.equals(other.edges) || classes != other.classes) {
            throw new InvalidInputException("can merge only a sketch with the same edges and classes: this has "
                    + classes + " classes and edges " + edges + ", the other "
                    + (other == null ? "is null" : other.classes + " classes and edges " + other.edges));
        }
        long mergedCount = count + other.count;
        long mergedFeedback = feedbackCount + other.feedbackCount;
        if (mergedCount < 0 || mergedFeedback < 0) {   // every other count is at most one of these two
            throw new InvalidInputException("merged counts overflow a long: count " + count + " + " + other.count
                    + ", feedback " + feedbackCount + " + " + other.feedbackCount);
        }
        for (int p = 0; p < projectionCounts.length; p++) {
            addInto(projectionCounts[p], other.projectionCounts[p]);
        }
        addInto(labelCounts, other.labelCounts);
        addInto(confidenceCounts, other.confidenceCounts);
        confidenceSum += other.confidenceSum;
        feedbackErrors += other.feedbackErrors;
        count = mergedCount;
        feedbackCount = mergedFeedback;
    }

    private static void addInto(long[] to, long[] from) {
        for (int i = 0; i < to.length; i++) {
            to[i] += from[i];
        }
    }

    /** Empties the sketch (edges and classes stay), e.g. when a new window starts. */
    public void reset() {
        for (long[] row : projectionCounts) {
            Arrays.fill(row, 0);
        }
        Arrays.fill(labelCounts, 0);
        Arrays.fill(confidenceCounts, 0);
        count = 0;
        confidenceSum = 0;
        feedbackCount = 0;
        feedbackErrors = 0;
    }

    /** @return an independent sketch with the same edges, classes and counts */
    public DriftSketch copy() {
        DriftSketch c = new DriftSketch(edges, classes);
        c.merge(this);
        return c;
    }

    /** @return a copy of the counts, [projection][bin], projections in {@link InputProjections#NAMES} order */
    public long[][] projectionCounts() {
        long[][] c = new long[projectionCounts.length][];
        for (int p = 0; p < c.length; p++) {
            c[p] = projectionCounts[p].clone();
        }
        return c;
    }

    /** @return a copy of how often each label was predicted, indexed by label */
    public long[] labelCounts() {
        return labelCounts.clone();
    }

    /** @return a copy of the confidence counts, {@link #CONFIDENCE_BINS} of them, bin i = [i/10, (i+1)/10) */
    public long[] confidenceCounts() {
        return confidenceCounts.clone();
    }

    /** @return how many predictions were added (or merged in) */
    public long count() {
        return count;
    }

    /** @return the sum of the added confidences, within [0, count] */
    public double confidenceSum() {
        return confidenceSum;
    }

    /** @return the mean confidence, confidenceSum / count; NaN when the sketch is empty */
    public double meanConfidence() {
        return count == 0 ? Double.NaN : confidenceSum / count;
    }

    /** @return how many feedback labels were reported */
    public long feedbackCount() {
        return feedbackCount;
    }

    /** @return how many of the feedback labels said the prediction was wrong */
    public long feedbackErrors() {
        return feedbackErrors;
    }

    /** @return the bins of each projection (an unmodifiable list) */
    public List<BinEdges> edges() {
        return edges;
    }

    /** @return how many labels the model predicts */
    public int classes() {
        return classes;
    }
}
