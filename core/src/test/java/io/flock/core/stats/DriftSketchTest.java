package io.flock.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftSketchTest {
    /** mean: 4 bins, spread: 3, projection-1: 2, projection-2: 4. */
    private static final List<BinEdges> EDGES = List.of(
            new BinEdges(new double[] {0.25, 0.5, 0.75}),
            new BinEdges(new double[] {0.1, 0.3}),
            new BinEdges(new double[] {0}),
            new BinEdges(new double[] {-0.5, 0, 0.5}));

    private static float[] constant(float v) {
        return new float[] {v, v, v, v};
    }

    /** Three predictions and two feedback labels. */
    private static DriftSketch sample() {
        DriftSketch s = new DriftSketch(EDGES, 3);
        s.add(constant(0f), 1, 0.95);                  // mean 0, spread 0, both projections 0
        s.add(new float[] {0f, 0.25f, 0.5f, 1f}, 2, 1.0);   // mean 0.4375, spread 0.3697, p1 -0.625, p2 0.375
        s.add(constant(1f), 2, 0.0);                   // mean 1, spread 0, p1 (-1+1-1-1)/2 = -1, p2 (-1+1-1+1)/2 = 0
        s.addFeedback(true);
        s.addFeedback(false);
        return s;
    }

    @Test
    void add_countsEachProjectionsBin_theLabel_andTheConfidence() {
        DriftSketch s = sample();

        assertThat(s.projectionCounts()).isDeepEqualTo(new long[][] {
                {1, 1, 0, 1},
                {2, 0, 1},
                {2, 1},
                {0, 0, 3, 0}});
        assertThat(s.labelCounts()).containsExactly(0, 1, 2);
        assertThat(s.confidenceCounts()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 2);   // 0.95 and 1.0 in the last bin
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.confidenceSum()).isEqualTo(0.95 + 1.0 + 0.0);
        assertThat(s.meanConfidence()).isEqualTo((0.95 + 1.0 + 0.0) / 3);
        assertThat(s.feedbackCount()).isEqualTo(2);
        assertThat(s.feedbackErrors()).isEqualTo(1);
        assertThat(s.edges()).isEqualTo(EDGES);
        assertThat(s.classes()).isEqualTo(3);
    }

    @Test
    void confidenceBins_areTenthsOfTheUnitInterval() {
        assertThat(DriftSketch.confidenceBin(0.0)).isZero();
        assertThat(DriftSketch.confidenceBin(0.0999)).isZero();
        assertThat(DriftSketch.confidenceBin(0.1)).isEqualTo(1);
        assertThat(DriftSketch.confidenceBin(0.5)).isEqualTo(5);
        assertThat(DriftSketch.confidenceBin(0.9999)).isEqualTo(9);
        assertThat(DriftSketch.confidenceBin(1.0)).isEqualTo(9);
    }

    @Test
    void add_badPrediction_isRefusedAndChangesNothing() {
        DriftSketch s = sample();

        assertThatThrownBy(() -> s.add(constant(0f), 3, 0.5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("got 3");
        assertThatThrownBy(() -> s.add(constant(0f), -1, 0.5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("got -1");
        assertThatThrownBy(() -> s.add(constant(0f), 0, Double.NaN)).isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> s.add(constant(0f), 0, -0.01)).isInstanceOf(InvalidInputException.class).hasMessageContaining("-0.01");
        assertThatThrownBy(() -> s.add(constant(0f), 0, 1.01)).isInstanceOf(InvalidInputException.class).hasMessageContaining("1.01");
        assertThatThrownBy(() -> s.add(new float[0], 0, 0.5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> s.add(new float[] {0f, Float.NaN}, 0, 0.5)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("mean");
        assertThatThrownBy(() -> s.add(new float[] {0f, Float.POSITIVE_INFINITY}, 0, 0.5)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("spread");

        assertThat(s.projectionCounts()).isDeepEqualTo(sample().projectionCounts());
        assertThat(s.labelCounts()).containsExactly(sample().labelCounts());
        assertThat(s.confidenceCounts()).containsExactly(sample().confidenceCounts());
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.confidenceSum()).isEqualTo(0.95 + 1.0 + 0.0);
    }

    @Test
    void constructor_refusesEdgesOrClassesThatCannotWork() {
        assertThatThrownBy(() -> new DriftSketch(EDGES.subList(0, 3), 3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("got 3");
        assertThatThrownBy(() -> new DriftSketch(EDGES, 0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("classes");
        assertThatThrownBy(() -> new DriftSketch(null, 2)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void merge_givesTheSketchOfAllInputs() {
        DriftSketch a = new DriftSketch(EDGES, 3);
        a.add(constant(0f), 1, 0.95);
        a.addFeedback(true);
        DriftSketch b = new DriftSketch(EDGES, 3);
        b.add(new float[] {0f, 0.25f, 0.5f, 1f}, 2, 1.0);
        b.add(constant(1f), 2, 0.0);
        b.addFeedback(false);

        a.merge(b);

        assertSame(a, sample());
        assertThat(b.count()).isEqualTo(2);
    }

    @Test
    void merge_ofAnotherShape_isRefusedAndChangesNothing() {
        DriftSketch s = sample();
        DriftSketch otherClasses = new DriftSketch(EDGES, 4);
        DriftSketch otherEdges = new DriftSketch(List.of(EDGES.get(0), EDGES.get(1), new BinEdges(new double[] {1}), EDGES.get(3)), 3);

        assertThatThrownBy(() -> s.merge(otherClasses)).isInstanceOf(InvalidInputException.class).hasMessageContaining("4 classes");
        assertThatThrownBy(() -> s.merge(otherEdges)).isInstanceOf(InvalidInputException.class).hasMessageContaining("edges");
        assertSame(s, sample());
    }

    @Test
    void copy_isIndependent_andResetEmpties() {
        DriftSketch s = sample();
        DriftSketch c = s.copy();
        s.reset();

        assertSame(c, sample());
        assertThat(s.count()).isZero();
        assertThat(s.meanConfidence()).isNaN();
        assertThat(s.feedbackCount()).isZero();
        assertThat(s.feedbackErrors()).isZero();
        assertThat(s.projectionCounts()[0]).containsOnly(0);
        assertThat(s.labelCounts()).containsOnly(0);
        assertThat(s.confidenceCounts()).containsOnly(0);
        assertThat(s.edges()).isEqualTo(EDGES);
    }

    @Test
    void getters_returnCopies() {
        DriftSketch s = sample();
        s.projectionCounts()[0][0] = 99;
        s.labelCounts()[0] = 99;
        s.confidenceCounts()[0] = 99;

        assertSame(s, sample());
    }

    @Test
    void of_rebuildsWhatASketchReported() {
        DriftSketch s = sample();

        DriftSketch r = DriftSketch.of(s.edges(), s.classes(), s.projectionCounts(), s.labelCounts(), s.confidenceCounts(),
                s.count(), s.confidenceSum(), s.feedbackCount(), s.feedbackErrors());

        assertSame(r, s);
        DriftSketch empty = DriftSketch.of(EDGES, 3, new long[][] {new long[4], new long[3], new long[2], new long[4]},
                new long[3], new long[10], 0, 0, 0, 0);
        assertThat(empty.count()).isZero();
        assertThat(empty.meanConfidence()).isNaN();
    }

    @Test
    void of_refusesCountsNoSketchCouldHaveReported() {
        long[][] rows = sample().projectionCounts();
        long[] labels = {0, 1, 2};
        long[] conf = {1, 0, 0, 0, 0, 0, 0, 0, 0, 2};
        assertThat(DriftSketch.of(EDGES, 3, rows, labels, conf, 3, 1.95, 2, 1).count()).isEqualTo(3);   // each case below breaks one field

        assertOfRefused(new long[][] {rows[0], rows[1], rows[2]}, labels, conf, 3, 1.95, 2, 1, "projectionCounts must have 4 rows, got 3");
        assertOfRefused(new long[][] {rows[0], rows[1], {3}, rows[3]}, labels, conf, 3, 1.95, 2, 1,
                "projectionCounts[2] (projection-1) must have 2 entries, got 1");
        assertOfRefused(new long[][] {rows[0], {2, 0, 0}, rows[2], rows[3]}, labels, conf, 3, 1.95, 2, 1,
                "projectionCounts[1] (spread) must sum to count = 3, got 2");
        assertOfRefused(new long[][] {rows[0], rows[1], rows[2], {-1, 2, 1, 1}}, labels, conf, 3, 1.95, 2, 1,
                "projectionCounts[3] (projection-2)[0] must be >= 0, got -1");
        assertOfRefused(rows, new long[] {1, 2}, conf, 3, 1.95, 2, 1, "labelCounts must have 3 entries, got 2");
        assertOfRefused(rows, new long[] {1, 1, 2}, conf, 3, 1.95, 2, 1, "labelCounts must sum to count = 3, got 4");
        assertOfRefused(rows, null, conf, 3, 1.95, 2, 1, "labelCounts must have 3 entries, got null");
        assertOfRefused(rows, labels, new long[] {1, 2}, 3, 1.95, 2, 1, "confidenceCounts must have 10 entries, got 2");
        assertOfRefused(rows, labels, new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 3, 1.95, 2, 1,
                "confidenceCounts must sum to count = 3, got 2");
        assertOfRefused(rows, labels, conf, -1, 1.95, 2, 1, "count must be >= 0, got -1");
        assertOfRefused(rows, labels, conf, 3, Double.NaN, 2, 1, "confidenceSum must be finite and within [0, count = 3], got NaN");
        assertOfRefused(rows, labels, conf, 3, 3.5, 2, 1, "confidenceSum must be finite and within [0, count = 3], got 3.5");
        assertOfRefused(rows, labels, conf, 3, -0.1, 2, 1, "confidenceSum must be finite and within [0, count = 3], got -0.1");
        assertOfRefused(rows, labels, conf, 3, 1.95, -1, 0, "feedbackCount must be >= 0, got -1");
        assertOfRefused(rows, labels, conf, 3, 1.95, 2, 3, "feedbackErrors must be within [0, feedbackCount = 2], got 3");
        assertOfRefused(rows, labels, conf, 3, 1.95, 2, -1, "feedbackErrors must be within [0, feedbackCount = 2], got -1");
        long big = Long.MAX_VALUE;
        assertOfRefused(new long[][] {rows[0], rows[1], {big, big}, rows[3]}, labels, conf, 3, 1.95, 2, 1,
                "projectionCounts[2] (projection-1) overflows");
    }

    private static void assertOfRefused(long[][] rows, long[] labels, long[] conf, long count, double confidenceSum,
            long feedbackCount, long feedbackErrors, String message) {
        assertThatThrownBy(() -> DriftSketch.of(EDGES, 3, rows, labels, conf, count, confidenceSum, feedbackCount, feedbackErrors))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(message);
    }

    private static void assertSame(DriftSketch actual, DriftSketch expected) {
        assertThat(actual.projectionCounts()).isDeepEqualTo(expected.projectionCounts());
        assertThat(actual.labelCounts()).containsExactly(expected.labelCounts());
        assertThat(actual.confidenceCounts()).containsExactly(expected.confidenceCounts());
        assertThat(actual.count()).isEqualTo(expected.count());
        assertThat(actual.confidenceSum()).isEqualTo(expected.confidenceSum());
        assertThat(actual.feedbackCount()).isEqualTo(expected.feedbackCount());
        assertThat(actual.feedbackErrors()).isEqualTo(expected.feedbackErrors());
        assertThat(actual.edges()).isEqualTo(expected.edges());
        assertThat(actual.classes()).isEqualTo(expected.classes());
    }
}
