package io.flock.core.stats;

import io.flock.core.InvalidInputException;

/**
 * Population stability index between a reference's and a window's binned counts:
 * PSI = sum over bins of (a - e)·ln(a / e), where e and a are each bin's share of the expected and the actual total.
 * 0 means the same distribution; a common reading is below 0.1 stable, 0.1-0.2 a moderate shift, above 0.2 a major
 * one. Thread-safe (stateless).
 *
 * <p>Smoothing: a bin empty on one side would make the log infinite, so each share is floored at
 * {@link #MIN_SHARE} (1e-4) before the sum; the floored shares are not renormalised. The floor caps one empty bin's
 * term near (share)·ln(share / 1e-4), about 0.31 for a 5 % share.
 */
public final class Psi {
    /** The smallest share a bin takes in the sum. */
    public static final double MIN_SHARE = 1e-4;

    private Psi() {
    }

    /**
     * @param expected reference counts per bin, each ≥ 0, total > 0
     * @param actual   window counts for the same bins, each ≥ 0, total > 0
     * @return the index, ≥ 0 (0 for identical shares)
     * @throws InvalidInputException for null, empty or unequal-length arrays, a negative count, or a total of 0
     */
    public static double of(long[] expected, long[] actual) {
        long[] totals = Counts.requireComparable("expected", expected, "actual", actual);
        double psi = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.max((double) expected[i] / totals[0], MIN_SHARE);
            double a = Math.max((double) actual[i] / totals[1], MIN_SHARE);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }
}
