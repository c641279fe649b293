package io.flock.core.stats;

import io.flock.core.InvalidInputException;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * Two-sample chi-square test of homogeneity on binned counts: could the reference and the window have been drawn
 * from the same distribution over the bins? Delegates to Commons Math's
 * {@link ChiSquareTest#chiSquareTestDataSetsComparison(long[], long[])}, which weighs the two samples by their
 * totals (they may differ) and uses bins - 1 degrees of freedom, without continuity correction. The usual caveat
 * holds: the p-value is an approximation that wants about 5 or more expected counts per bin. Thread-safe (stateless).
 */
public final class ChiSquare {
    private static final ChiSquareTest TEST = new ChiSquareTest();

    private ChiSquare() {
    }

    /**
     * @param reference reference counts per bin, each ≥ 0, total > 0
     * @param window    window counts for the same bins, each ≥ 0, total > 0
     * @return the p-value in [0, 1]: small means the window's distribution differs from the reference's. Bins empty in
     *         both are dropped first; when fewer than 2 bins remain there is nothing to compare and the result is 1.0
     * @throws InvalidInputException for null, empty or unequal-length arrays, a negative count, or a total of 0
     */
    public static double pValue(long[] reference, long[] window) {
        Counts.requireComparable("reference", reference, "window", window);
        int kept = 0;
        for (int i = 0; i < reference.length; i++) {
            if (reference[i] != 0 || window[i] != 0) {
                kept++;
            }
        }
        if (kept < 2) {
            return 1.0;
        }
        long[] r = new long[kept];
        long[] w = new long[kept];
        for (int i = 0, j = 0; i < reference.length; i++) {
            if (reference[i] != 0 || window[i] != 0) {
                r[j] = reference[i];
                w[j++] = window[i];
            }
        }
        return TEST.chiSquareTestDataSetsComparison(r, w);
    }
}
