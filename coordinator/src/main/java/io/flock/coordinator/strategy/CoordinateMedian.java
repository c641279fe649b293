package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;

/**
 * The coordinate-wise median of the deltas (Yin et al. 2018): for each parameter, the middle value of the K
 * updates, or the mean of the two middle ones when K is even. Unweighted by design: a weight is the sender's own
 * claim, and an attacker would claim a large one. Tolerates fewer than half of the updates being arbitrary per
 * coordinate. Needs every update of the round: memory O(K·P) floats up to the buffer budget, then a temporary
 * file; time O(P·K) expected (quickselect). The result reports the weight and contributors of all K updates.
 * Not thread-safe.
 */
public final class CoordinateMedian extends BufferingAggregator {
    /**
     * @param layout      names and shapes every update must have
     * @param budgetBytes bytes of updates kept on the heap; past it they go to a temporary file
     */
    public CoordinateMedian(ModelParameters layout, long budgetBytes) {
        super(layout, budgetBytes);
    }

    @Override
    AggregatedUpdate combine() {
        return allOf(perCoordinate((values, k) -> {
            float upper = QuickSelect.select(values, 0, k, k / 2);
            if (k % 2 == 1) {
                return upper;
            }
            float lower = values[0];
            for (int i = 1; i < k / 2; i++) {
                lower = Math.max(lower, values[i]);
            }
            return (float) (((double) lower + upper) / 2);
        }));
    }

    @Override
    public String toString() {
        return "median";
    }
}
