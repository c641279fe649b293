package io.flock.core.data;

import io.flock.core.InvalidInputException;

/**
 * Unlabelled raw feature rows, as apps have them before the {@link FeaturePipeline}: the inputs of a batch prediction
 * set, say. Row-major, every value finite. Immutable by contract (the array is not copied: do not change it).
 *
 * @param values {@code rows * features} finite values, row-major
 * @param rows   number of rows, >= 0
 * @param features values per row, > 0
 */
public record RawRows(float[] values, int rows, int features) {
    /** Validates the shape and that every value is finite. */
    public RawRows {
        if (features <= 0 || rows < 0 || (long) rows * features != values.length) {
            throw new InvalidInputException(values.length + " values do not fit " + rows + " rows of " + features + " features");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InvalidInputException("row " + i / features + " feature " + i % features + " is " + values[i]);
            }
        }
    }

    /** @return row {@code i}'s raw features (a copy) */
    public float[] row(int i) {
        float[] out = new float[features];
        System.arraycopy(values, i * features, out, 0, features);
        return out;
    }
}
