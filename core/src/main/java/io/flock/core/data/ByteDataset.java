package io.flock.core.data;

import io.flock.core.InvalidInputException;

/**
 * Samples whose raw features are unsigned bytes (image pixels), stored compactly: one byte per
 * feature. Immutable.
 */
public final class ByteDataset implements Dataset {
    private final byte[] features;
    private final byte[] labels;
    private final int featureCount;

    /**
     * @param features     row-major, {@code labels.length * featureCount} bytes, read as 0..255
     * @param labels       one class index 0..255 per sample
     * @param featureCount features per sample, > 0
     */
    public ByteDataset(byte[] features, byte[] labels, int featureCount) {
        if (featureCount <= 0 || (long) labels.length * featureCount != features.length) {
            throw new InvalidInputException(labels.length + " labels and " + features.length
                    + " feature bytes do not fit " + featureCount + " features per sample");
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
        return labels[i] & 0xFF;
    }

    @Override
    public void copyRawFeatures(int i, float[] dst, int offset) {
        int base = i * featureCount;
        for (int j = 0; j < featureCount; j++) {
            dst[offset + j] = features[base + j] & 0xFF;
        }
    }

    /** @return the raw bytes of sample {@code i} (a copy) */
    public byte[] rawBytes(int i) {
        byte[] out = new byte[featureCount];
        System.arraycopy(features, i * featureCount, out, 0, featureCount);
        return out;
    }

    @Override
    public ByteDataset subset(int[] indices) {
        byte[] f = new byte[indices.length * featureCount];
        byte[] l = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(features, indices[k] * featureCount, f, k * featureCount, featureCount);
            l[k] = labels[indices[k]];
        }
        return new ByteDataset(f, l, featureCount);
    }
}
