package io.flock.core.data;

import io.flock.core.InvalidInputException;

/**
 * The one feature pipeline: the same object prepares inputs for training on a device, inference on
 * a device and serving in the cloud, so there is no training-serving skew. It maps raw features to
 * model inputs as {@code ((raw / divisor) - mean) / std}. Immutable and thread-safe. Its
 * {@link #toString()} form ("scale:255", "scale:255:0.2860:0.3530") travels in announcements.
 *
 * @param divisor first scaling, > 0 (255 for pixels)
 * @param mean    subtracted after scaling
 * @param std     divides last, > 0
 */
public record FeaturePipeline(float divisor, float mean, float std) {
    /** Pixels 0..255 to 0..1. */
    public static final FeaturePipeline PIXELS = new FeaturePipeline(255f, 0f, 1f);

    /** Validates the constants. */
    public FeaturePipeline {
        if (!(divisor > 0) || !(std > 0) || !Float.isFinite(mean)) {
            throw new InvalidInputException("feature pipeline needs divisor > 0, std > 0, finite mean; got "
                    + divisor + ", " + std + ", " + mean);
        }
    }

    /** @param text "scale:D" or "scale:D:MEAN:STD" */
    public static FeaturePipeline parse(String text) {
        String[] p = text.split(":");
        try {
            if (!p[0].equals("scale") || (p.length != 2 && p.length != 4)) {
                throw new NumberFormatException("expected scale:D or scale:D:MEAN:STD");
            }
            return p.length == 2 ? new FeaturePipeline(Float.parseFloat(p[1]), 0f, 1f)
                    : new FeaturePipeline(Float.parseFloat(p[1]), Float.parseFloat(p[2]), Float.parseFloat(p[3]));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("feature pipeline '" + text + "' does not parse: " + e.getMessage());
        }
    }

    /**
     * Transforms raw features in place.
     *
     * @throws InvalidInputException when a raw value is NaN or infinite (nothing is changed then)
     */
    public void transformInPlace(float[] values, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InvalidInputException("feature " + (i - offset) + " is " + values[i]);
            }
        }
        scale(values, offset, offset + length);
    }

    /** The transform itself, over {@code values[from..end)}: a branch-free loop the JIT vectorises. */
    private void scale(float[] values, int from, int end) {
        for (int i = from; i < end; i++) {
            values[i] = (values[i] / divisor - mean) / std;
        }
    }

    /**
     * The preparation of one app input wherever a model answers it (a device's local model, the coordinator's serving
     * and its batch job): the width the model takes is checked, then the input is transformed.
     *
     * @param inputSize features the model takes
     * @param model     names the model in the error
     * @return model inputs (a new array)
     * @throws InvalidInputException for another width or a NaN/infinite value
     */
    public float[] prepare(float[] raw, int inputSize, String model) {
        if (raw.length != inputSize) {
            throw new InvalidInputException("model " + model + " takes " + inputSize + " features, got " + raw.length);
        }
        return transform(raw);
    }

    /** @return model inputs for one raw feature vector (a new array) */
    public float[] transform(float[] raw) {
        float[] out = raw.clone();
        transformInPlace(out, 0, out.length);
        return out;
    }

    /**
     * Fills {@code dst} with the transformed features of the given samples, row-major. Datasets hold
     * only finite values (their constructors check), so this is the hot path without a check.
     */
    public void prepareBatch(Dataset data, int[] indices, int from, int count, float[] dst) {
        int d = data.featureCount();
        for (int k = 0; k < count; k++) {
            data.copyRawFeatures(indices[from + k], dst, k * d);
        }
        scale(dst, 0, count * d);
    }

    @Override
    public String toString() {
        return mean == 0f && std == 1f ? "scale:" + fmt(divisor) : "scale:" + fmt(divisor) + ":" + mean + ":" + std;
    }

    private static String fmt(float f) {
        return f == Math.rint(f) ? String.valueOf((long) f) : String.valueOf(f);
    }
}
