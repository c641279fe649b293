package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The part the robust rules share: every update of the round is kept in an {@link UpdateBuffer} (on the heap up to
 * a budget, then in a temporary file), and {@link #result()} combines them once. Memory O(K·P) up to the budget,
 * against {@link WeightedMean}'s O(P). Not thread-safe: the round serialises calls.
 */
abstract class BufferingAggregator implements Aggregator {
    /** Combines one coordinate's values; may reorder {@code values[0..k)}. */
    interface CoordinateRule {
        float apply(float[] values, int k);
    }

    final UpdateBuffer buffer;

    BufferingAggregator(ModelParameters layout, long budgetBytes) {
        this.buffer = new UpdateBuffer(layout, budgetBytes);
    }

    @Override
    public final void add(ClientUpdate update) {
        buffer.add(update);
    }

    @Override
    public final int count() {
        return buffer.count();
    }

    /**
     * Combines the buffered updates and releases them (the temporary file too): call once.
     *
     * @throws IllegalStateException with fewer than {@link #minimumUpdates()} updates
     */
    @Override
    public final AggregatedUpdate result() {
        if (count() < minimumUpdates()) {
            throw new IllegalStateException(this + " needs at least " + minimumUpdates() + " updates, got " + count());
        }
        try {
            return combine();
        } finally {
            buffer.close();
        }
    }

    abstract AggregatedUpdate combine();

    /** @return the delta with every update's totals: the per-coordinate rules use every update somewhere */
    final AggregatedUpdate allOf(float[] delta) {
        double weight = 0;
        int contributors = 0;
        for (int k = 0; k < count(); k++) {
            weight += buffer.weight(k);
            contributors += buffer.contributors(k);
        }
        return new AggregatedUpdate(buffer.toParameters(delta), weight, contributors);
    }

    /**
     * @return each coordinate's K values through {@code rule}, block by block, the values ordered by device id so
     *         the result does not depend on arrival order
     */
    final float[] perCoordinate(CoordinateRule rule) {
        int k = count();
        int p = buffer.size();
        int block = buffer.blockSize();
        Integer[] byDevice = new Integer[k];
        Arrays.setAll(byDevice, i -> i);
        Arrays.sort(byDevice, Comparator.comparing(buffer::device).thenComparing(i -> i));
        float[] rows = new float[k * block];
        float[] values = new float[k];
        float[] out = new float[p];
        for (int from = 0; from < p; from += block) {
            int len = Math.min(block, p - from);
            for (int u = 0; u < k; u++) {
                buffer.read(byDevice[u], from, rows, u * len, len);
            }
            for (int j = 0; j < len; j++) {
                for (int u = 0; u < k; u++) {
                    values[u] = rows[u * len + j];
                }
                out[from + j] = rule.apply(values, k);
            }
        }
        return out;
    }
}
