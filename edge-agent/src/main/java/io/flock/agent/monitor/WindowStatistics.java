package io.flock.agent.monitor;

import io.flock.core.InvalidInputException;
import io.flock.core.model.Prediction;
import io.flock.core.stats.BinEdges;
import io.flock.core.stats.DriftSketch;
import io.flock.proto.v1.DataStatistics;
import io.flock.proto.v1.DriftBins;
import io.flock.proto.v1.ProjectionBins;
import io.flock.proto.v1.ProjectionCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The privacy-safe statistics of one telemetry window, in the bins the coordinator announced ({@link DriftBins}): for
 * every local answer, the bin of each fixed projection of its input ({@link io.flock.core.stats.InputProjections}),
 * its predicted label and its confidence bin; and for every answer whose true label the app reported later, whether it
 * was right. Only these counts leave the device, never an input, a projection value or a label of a single answer.
 * Answers are remembered by id (the newest {@code remembered}) until their feedback comes. Thread-safe.
 */
public final class WindowStatistics {
    private final int remembered;
    private final Map<String, Integer> answered;
    private DriftBins bins;
    private DriftSketch sketch;
    private long windowStartMs;
    /** Ids are this prefix and a counter: unique for this agent's life, cheap on the answer path (no SecureRandom per answer). */
    private final String idPrefix = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + "-";
    private long answersCounted;

    /** @param remembered answers whose predicted label is kept for feedback, the newest first to stay */
    public WindowStatistics(int remembered) {
        if (remembered < 1) {
            throw new IllegalArgumentException("remember at least one answer, got " + remembered);
        }
        this.remembered = remembered;
        this.answered = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > WindowStatistics.this.remembered;
            }
        };
    }

    /**
     * Adopts the bins of an announcement; other cuts or classes than the current ones start a new window (counts in
     * different bins do not add up), a new reference version alone does not.
     *
     * @throws InvalidInputException for bins that do not describe a histogram (cuts not increasing, no classes)
     */
    public synchronized void adopt(DriftBins announced, long nowMs) {
        if (announced == null) {
            return;
        }
        if (bins != null && announced.getProjectionsList().equals(bins.getProjectionsList()) && announced.getClasses() == bins.getClasses()) {
            bins = announced;
            return;
        }
        List<BinEdges> edges = new ArrayList<>();
        for (ProjectionBins p : announced.getProjectionsList()) {
            edges.add(new BinEdges(p.getCutsList().stream().mapToDouble(Double::doubleValue).toArray()));
        }
        if (announced.getClasses() < 2) {
            throw new InvalidInputException("drift bins need at least 2 classes, got " + announced.getClasses());
        }
        sketch = new DriftSketch(edges, announced.getClasses());
        bins = announced;
        windowStartMs = nowMs;
    }

    /**
     * Counts one local answer.
     *
     * @param features the model input (the raw input after the version's feature pipeline)
     * @return the id the app reports the true label with; "" when no bins were announced (nothing is counted)
     */
    public synchronized String observe(float[] features, Prediction local) {
        if (sketch == null || local.label() >= sketch.classes()) {
            return "";
        }
        sketch.add(features, local.label(), Math.min(1.0, Math.max(0.0, local.confidence())));
        String id = idPrefix + Long.toHexString(++answersCounted);
        answered.put(id, local.label());
        return id;
    }

    /**
     * Counts the true label of an earlier answer, once.
     *
     * @return false when the id is unknown, was reported already or is too old
     * @throws InvalidInputException for a label outside the model's classes
     */
    public synchronized boolean feedback(String predictionId, int trueLabel) {
        if (sketch != null && (trueLabel < 0 || trueLabel >= sketch.classes())) {
            throw new InvalidInputException("true_label must be in [0, " + sketch.classes() + "), got " + trueLabel);
        }
        Integer label = answered.remove(predictionId);
        if (label == null || sketch == null) {
            return false;
        }
        sketch.addFeedback(label == trueLabel);
        return true;
    }

    /**
     * Ends the window: its statistics, and a new empty window from now.
     *
     * @return the window's statistics, empty when no bins were announced
     */
    public synchronized Optional<DataStatistics> drain(long nowMs) {
        if (sketch == null) {
            return Optional.empty();
        }
        DataStatistics.Builder s = DataStatistics.newBuilder().setReferenceVersion(bins.getReferenceVersion())
                .setSampleCount(sketch.count()).setConfidenceSum(sketch.confidenceSum())
                .setMeanConfidence(sketch.count() == 0 ? 0 : sketch.meanConfidence())
                .setFeedbackCount(sketch.feedbackCount()).setFeedbackErrors(sketch.feedbackErrors()).setWindowStartUnixMs(windowStartMs);
        long[][] counts = sketch.projectionCounts();
        for (int p = 0; p < counts.length; p++) {
            ProjectionCounts.Builder c = ProjectionCounts.newBuilder().setName(bins.getProjections(p).getName());
            for (long n : counts[p]) {
                c.addCounts(n);
            }
            s.addProjections(c);
        }
        for (long n : sketch.labelCounts()) {
            s.addPredictedLabelCounts(n);
        }
        for (long n : sketch.confidenceCounts()) {
            s.addConfidenceCounts(n);
        }
        sketch.reset();
        windowStartMs = nowMs;
        return Optional.of(s.build());
    }
}
