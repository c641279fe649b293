package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;

/**
 * The coordinate-wise trimmed mean (Yin et al. 2018): for each parameter, order the K values, drop the
 * {@code t = floor(beta * K)} lowest and the t highest, and average the rest. Unweighted by design (a weight is the
 * sender's claim). A round in which t would be 0 is a plain mean and defends nothing, so with beta > 0 it needs the
 * smallest K with {@code floor(beta * K) >= 1} ({@link #minimumUpdates()}). Needs every update of the round: memory
 * O(K·P) floats up to the buffer budget, then a temporary file; time O(P·K) expected (quickselect). The result
 * reports the weight and contributors of all K updates. Not thread-safe.
 */
public final class TrimmedMean extends BufferingAggregator {
    private final double beta;

    /**
     * @param layout      names and shapes every update must have
     * @param beta        share trimmed from each end, in [0, 0.5)
     * @param budgetBytes bytes of updates kept on the heap; past it they go to a temporary file
     */
    public TrimmedMean(ModelParameters layout, double beta, long budgetBytes) {
        super(layout, budgetBytes);
        if (!(beta >= 0 && beta < 0.5)) {
            throw new InvalidInputException("trimmed-mean beta must be in [0, 0.5), got " + beta);
        }
        this.beta = beta;
    }

    /** @return values trimmed from each end of a coordinate's K values */
    static int trimmed(double beta, int k) {
        return (int) Math.floor(beta * k);
    }

    /** @return the fewest updates that trim at least one from each end; 1 when beta is 0, at most Integer.MAX_VALUE */
    static int minimumUpdates(double beta) {
        if (beta == 0) {
            return 1;
        }
        if (1 / beta >= Integer.MAX_VALUE - 1) {
            return Integer.MAX_VALUE;
        }
        int k = Math.max(1, (int) Math.floor(1 / beta) - 1);
        while (trimmed(beta, k) < 1) {
            k++;
        }
        return k;
    }

    @Override
    public int minimumUpdates() {
        return minimumUpdates(beta);
    }

    @Override
    AggregatedUpdate combine() {
        int t = trimmed(beta, count());
        return allOf(perCoordinate((values, k) -> {
            if (t > 0) {
                QuickSelect.select(values, 0, k, t);           // the t lowest now sit before index t
                QuickSelect.select(values, t, k, k - t - 1);   // and the t highest after k - t - 1
            }
            double sum = 0;
            for (int i = t; i < k - t; i++) {
                sum += values[i];
            }
            return (float) (sum / (k - 2 * t));
        }));
    }

    @Override
    public String toString() {
        return "trimmed-mean(beta=" + beta + ")";
    }
}
