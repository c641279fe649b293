package io.flock.core.data;

import io.flock.core.InvalidInputException;

/** Samples with float raw features (e.g. read from CSV). Immutable. */
public final class FloatDataset implements Dataset {
    private final float[] features;
    private final int[] labels;
    private final int featureCount;

    /**
     * @param features     row-major, {@code labels.length * featureCount} finite values
     * @param labels       class index per sample, >= 0
     * @param featureCount features per sample, > 0
     */
    public FloatDataset(float[] features, int[] labels, int featureCount) {
        if (featureCount <= 0 || (long) labels.length * featureCount != features.length) {
            throw new InvalidInputException(labels.length + " labels and " + features.length
                    + " feature values do not fit " + featureCount + " features per sample");
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new InvalidInputException("sample " + i / featureCount + " feature " + i % featureCount + " is " + features[i]);
            }
        }
        this.features = features;
        this.labels = labels;
        this.featureCount = featureCount;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int featureCount() {
        return featureCount;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public void copyRawFeatures(int i, float[] dst, int offset) {
        System.arraycopy(features, i * featureCount, dst, offset, featureCount);
    }

    @Override
    public FloatDataset subset(int[] indices) {
        float[] f = new float[indices.length * featureCount];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(features, indices[k] * featureCount, f, k * featureCount, featureCount);
            l[k] = labels[indices[k]];
        }
        return new FloatDataset(f, l, featureCount);
    }
}
