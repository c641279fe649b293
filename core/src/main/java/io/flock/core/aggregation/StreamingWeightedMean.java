package io.flock.core.aggregation;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Weighted mean of parameter sets folded in one at a time (FedAvg's core). Memory is two float accumulators per
 * parameter (a Kahan-compensated sum: 8 bytes a parameter), independent of how many updates are added. Not
 * thread-safe: callers serialise {@link #add}.
 *
 * <p>Why compensated float sums and no finiteness check in {@link #add}: on the 2-core bench machine JDK 17's C2
 * vectorises neither a float-to-double accumulate nor any finiteness scan (W6, bench/README.md). The old kernel
 * (scan, then add into doubles) reached a quarter of the memory bandwidth; this one is four element-wise float
 * operations that vectorise, and its error stays within a few float ulps of the exact sum however many updates
 * arrive (the result is a float anyway). Updates are checked for NaN and Inf once, where they enter (the
 * coordinator's {@code ClientUpdate}); {@link #mean} refuses a non-finite result, so a value that slipped past
 * never leaves as a model.
 */
public final class StreamingWeightedMean {
    private final ModelParameters layout;
    private final float[][] sums;
    private final float[][] compensations;
    private double totalWeight;
    private double appliedWeight;
    private int count;

    /** @param layout names and shapes every added update must have */
    public StreamingWeightedMean(ModelParameters layout) {
        this.layout = layout;
        this.sums = new float[layout.tensors().size()][];
        this.compensations = new float[sums.length][];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = new float[layout.tensors().get(i).size()];
            compensations[i] = new float[sums[i].length];
        }
    }

    /**
     * Folds one update in.
     *
     * @param update parameters with the layout's names and shapes; finite (checked where updates enter, not here: a
     *               non-finite value makes {@link #mean} throw)
     * @param weight its weight (e.g. number of training examples), finite and > 0; applied as a float
     * @throws InvalidInputException for a wrong layout or a bad weight; nothing is added
     */
    public void add(ModelParameters update, double weight) {
        if (!(weight > 0) || !Double.isFinite(weight) || !((float) weight > 0) || !Float.isFinite((float) weight)) {
            throw new InvalidInputException("weight must be finite and > 0 (as a float), got " + weight);
        }
        layout.requireSameLayout(update);
        float w = (float) weight;
        for (int i = 0; i < sums.length; i++) {
            accumulate(update.tensors().get(i).data(), w, sums[i], compensations[i]);
        }
        totalWeight += weight;
        appliedWeight += w;
        count++;
    }

    /** Kahan summation of w·x into s, element-wise (c holds each sum's lost low-order part); C2 vectorises it. */
    private static void accumulate(float[] x, float w, float[] s, float[] c) {
        for (int j = 0; j < s.length; j++) {
            float y = w * x[j] - c[j];
            float t = s[j] + y;
            c[j] = (t - s[j]) - y;
            s[j] = t;
        }
    }

    /** @return how many updates were added */
    public int count() {
        return count;
    }

    /** @return sum of the weights added */
    public double totalWeight() {
        return totalWeight;
    }

    /**
     * @return the weighted mean so far
     * @throws IllegalStateException when nothing was added (an empty mean is undefined), or when a non-finite value
     *                               was added (the mean would not be finite)
     */
    public ModelParameters mean() {
        if (count == 0) {
            throw new IllegalStateException("no updates were added");
        }
        List<Tensor> out = new ArrayList<>(sums.length);
        for (int i = 0; i < sums.length; i++) {
            Tensor t = layout.tensors().get(i);
            float[] s = sums[i];
            float[] c = compensations[i];
            float[] r = new float[s.length];
            for (int j = 0; j < r.length; j++) {
                r[j] = (float) (((double) s[j] - c[j]) / appliedWeight);
                if (!Float.isFinite(r[j])) {
                    throw new IllegalStateException("the mean of " + t.name() + " is " + r[j] + " at index " + j
                            + ": a non-finite update was added (callers must reject them before adding)");
                }
            }
            out.add(new Tensor(t.name(), t.shape(), r));
        }
        return new ModelParameters(out);
    }
}
