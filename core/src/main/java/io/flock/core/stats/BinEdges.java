package io.flock.core.stats;

import io.flock.core.InvalidInputException;
import java.util.Arrays;

/**
 * The inner cut points of one projection's bins: with cuts c<sub>0</sub> &lt; ... &lt; c<sub>k-1</sub> the bins are
 * (-inf, c<sub>0</sub>), [c<sub>0</sub>, c<sub>1</sub>), ..., [c<sub>k-1</sub>, +inf), so there are k + 1 of them.
 * Immutable: the cuts are copied in and out; -0.0 is stored as 0.0 (they bin alike). Equality is by content.
 *
 * @param cuts at least one cut, every one finite, strictly increasing
 */
public record BinEdges(double[] cuts) {
    /**
     * @param cuts the inner cut points; copied
     * @throws InvalidInputException for null or empty cuts, a NaN or infinite cut, or cuts that do not strictly
     *                               increase, naming the index and values
     */
    public BinEdges {
        if (cuts == null || cuts.length == 0) {
            throw new InvalidInputException("bin edges need at least one cut, got " + (cuts == null ? "null" : "none"));
        }
        cuts = cuts.clone();
        for (int i = 0; i < cuts.length; i++) {
            if (!Double.isFinite(cuts[i])) {
                throw new InvalidInputException("cut " + i + " must be finite, got " + cuts[i]);
            }
            cuts[i] += 0.0;   // -0.0 becomes 0.0
            if (i > 0 && !(cuts[i] > cuts[i - 1])) {
                throw new InvalidInputException("cuts must strictly increase, got cut " + (i - 1) + " = " + cuts[i - 1]
                        + " and cut " + i + " = " + cuts[i]);
            }
        }
    }

    /**
     * Cuts at a sample's 1/bins, 2/bins, ..., (bins-1)/bins quantiles: with the sample sorted ascending as
     * s<sub>0</sub> ≤ ... ≤ s<sub>n-1</sub>, cut j is s<sub>floor(j·n/bins)</sub>. So exactly floor(j·n/bins) sample
     * values lie below cut j when the values are distinct, and each bin holds n/bins of the sample give or take one
     * (0, 1, ..., 99 in 10 bins gives cuts 10, 20, ..., 90). Repeated cuts are kept once, so a sample with ties gets
     * fewer bins; a constant sample v gets the single cut {v}.
     *
     * @param sample reference values of one projection, non-empty, all finite; not modified
     * @param bins   how many bins to aim for, ≥ 2
     * @return the edges, with between 1 and bins - 1 cuts
     * @throws InvalidInputException for a null or empty sample, a NaN or infinite value (naming its index), or bins
     *                               below 2
     */
    public static BinEdges quantiles(double[] sample, int bins) {
        if (sample == null || sample.length == 0) {
            throw new InvalidInputException("a quantile sample must not be empty, got " + (sample == null ? "null" : "length 0"));
        }
        if (bins < 2) {
            throw new InvalidInputException("bins must be >= 2, got " + bins);
        }
        double[] sorted = sample.clone();
        for (int i = 0; i < sorted.length; i++) {
            if (!Double.isFinite(sorted[i])) {
                throw new InvalidInputException("sample value " + i + " must be finite, got " + sorted[i]);
            }
            sorted[i] += 0.0;   // -0.0 becomes 0.0, so the two sort and compare alike
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        double[] cuts = new double[bins - 1];
        int kept = 0;
        for (int j = 1; j < bins; j++) {
            double cut = sorted[(int) ((long) j * n / bins)];
            if (kept == 0 || cut > cuts[kept - 1]) {
                cuts[kept++] = cut;
            }
        }
        return new BinEdges(Arrays.copyOf(cuts, kept));
    }

    /** @return a copy of the cuts */
    @Override
    public double[] cuts() {
        return cuts.clone();
    }

    /** @return how many bins the cuts make: cuts + 1 */
    public int bins() {
        return cuts.length + 1;
    }

    /**
     * @param v a value, not NaN; -inf and +inf fall in the first and last bin
     * @return the index of v's bin, 0 .. {@link #bins()} - 1: the number of cuts ≤ v
     * @throws InvalidInputException for NaN
     */
    public int bin(double v) {
        if (Double.isNaN(v)) {
            throw new InvalidInputException("cannot bin NaN");
        }
        int lo = 0;
        int hi = cuts.length;   // answer in [lo, hi]: cuts[0..lo) ≤ v, cuts[hi..) > v
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cuts[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return whether {@code o} is a {@code BinEdges} with the same cuts */
    @Override
    public boolean equals(Object o) {
        return o instanceof BinEdges other && Arrays.equals(cuts, other.cuts);
    }

    /** @return a hash of the cuts */
    @Override
    public int hashCode() {
        return Arrays.hashCode(cuts);
    }

    /** @return the cuts, e.g. {@code BinEdges[10.0, 20.0]} */
    @Override
    public String toString() {
        return "BinEdges" + Arrays.toString(cuts);
    }
}
