package io.flock.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.junit.jupiter.api.Test;

class ChiSquareTest {
    /** The textbook homogeneity statistic: sum over both rows and all bins of (observed - expected)^2 / expected. */
    private static double homogeneityStatistic(long[] a, long[] b) {
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            na += a[i];
            nb += b[i];
        }
        double x = 0;
        for (int i = 0; i < a.length; i++) {
            double column = a[i] + b[i];
            double ea = column * na / (na + nb);
            double eb = column * nb / (na + nb);
            x += (a[i] - ea) * (a[i] - ea) / ea + (b[i] - eb) * (b[i] - eb) / eb;
        }
        return x;
    }

    @Test
    void sameDistribution_givesPOfOne() {
        assertThat(ChiSquare.pValue(new long[] {10, 20, 30}, new long[] {10, 20, 30})).isCloseTo(1.0, within(1e-12));
        assertThat(ChiSquare.pValue(new long[] {10, 20, 30}, new long[] {30, 60, 90})).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void twoByThree_equalTotals_matchesTheClosedForm() {
        // columns 30, 40, 50 of 120; expected 15, 20, 25 per row; statistic 2·25/15 + 2·25/25 = 16/3; df 2: p = exp(-x/2)
        long[] reference = {10, 20, 30};
        long[] window = {20, 20, 20};

        assertThat(homogeneityStatistic(reference, window)).isCloseTo(16.0 / 3, within(1e-12));
        assertThat(ChiSquare.pValue(reference, window)).isCloseTo(Math.exp(-8.0 / 3), within(1e-9));
    }

    @Test
    void twoByThree_unequalTotals_matchesTheHomogeneityTest() {
        long[] reference = {20, 40, 60};
        long[] window = {20, 20, 20};   // 120 against 60: statistic 7.5 (by hand: 5/3 + 5/6 + 10/3 + 5/3), df 2

        assertThat(homogeneityStatistic(reference, window)).isCloseTo(7.5, within(1e-12));
        assertThat(ChiSquare.pValue(reference, window)).isCloseTo(Math.exp(-3.75), within(1e-9));
    }

    @Test
    void twoByTwo_matchesTheChiSquaredTailWithOneDegreeOfFreedom() {
        long[] reference = {30, 10};
        long[] window = {20, 20};   // expected 25, 15 per row: statistic 2·25/25 + 2·25/15 = 16/3, no continuity correction
        double p = 1 - new ChiSquaredDistribution(1).cumulativeProbability(16.0 / 3);

        assertThat(ChiSquare.pValue(reference, window)).isCloseTo(p, within(1e-9));
        assertThat(p).isCloseTo(0.0209, within(1e-4));   // tables: chi-square(1) upper tail at 5.33
    }

    @Test
    void largeShift_givesATinyP() {
        long[] reference = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
        long[] shifted = {0, 0, 0, 100, 100, 100, 100, 200, 200, 200};

        assertThat(ChiSquare.pValue(reference, shifted)).isLessThan(1e-6);
    }

    @Test
    void binsEmptyInBoth_areDropped() {
        assertThat(ChiSquare.pValue(new long[] {10, 0, 20, 0}, new long[] {20, 0, 10, 0}))
                .isEqualTo(ChiSquare.pValue(new long[] {10, 20}, new long[] {20, 10}));
        assertThat(ChiSquare.pValue(new long[] {5, 0, 0}, new long[] {7, 0, 0})).isEqualTo(1.0);
        assertThat(ChiSquare.pValue(new long[] {5}, new long[] {7})).isEqualTo(1.0);
    }

    @Test
    void badCounts_areRefused() {
        assertThatThrownBy(() -> ChiSquare.pValue(new long[] {1, 2}, new long[] {1})).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ChiSquare.pValue(new long[] {0, 0}, new long[] {1, 2})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("reference must have a total > 0");
        assertThatThrownBy(() -> ChiSquare.pValue(new long[] {1, 2}, new long[] {0, 0})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("window must have a total > 0");
        assertThatThrownBy(() -> ChiSquare.pValue(new long[] {1, 2}, new long[] {-1, 2})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("window[0] must be >= 0, got -1");
    }
}
