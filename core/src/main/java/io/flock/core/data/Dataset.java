package io.flock.core.data;

/**
 * Labelled samples with raw (untransformed), always finite features. Implementations are immutable
 * and thread-safe, and reject non-finite features when they are built.
 * Raw features go through a {@link FeaturePipeline} before any model sees them.
 */
public interface Dataset {
    /** @return number of samples */
    int size();

    /** @return raw features per sample */
    int featureCount();

    /** @return label of sample {@code i}, 0-based class index */
    int label(int i);

    /** Copies sample {@code i}'s raw features into {@code dst} at {@code offset}. */
    void copyRawFeatures(int i, float[] dst, int offset);

    /** @return a view of the given samples, in that order */
    Dataset subset(int[] indices);

    /** @return number of classes: 1 + the largest label */
    default int classCount() {
        int max = -1;
        for (int i = 0; i < size(); i++) {
            max = Math.max(max, label(i));
        }
        return max + 1;
    }

    /** @return all labels in sample order */
    default int[] labels() {
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = label(i);
        }
        return out;
    }
}
