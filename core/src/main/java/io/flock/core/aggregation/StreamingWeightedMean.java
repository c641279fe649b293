package io.flock.core.aggregation;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Weighted mean of parameter sets folded in one at a time (FedAvg's core). Memory is one double
 * accumulator per parameter, independent of how many updates are added. Not thread-safe: callers
 * serialise {@link #add}.
 */
public final class StreamingWeightedMean {
    private final ModelParameters layout;
    private final double[][] sums;
    private double totalWeight;
    private int count;

    /** @param layout names and shapes every added update must have */
    public StreamingWeightedMean(ModelParameters layout) {
        this.layout = layout;
        this.sums = new double[layout.tensors().size()][];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = new double[layout.tensors().get(i).size()];
        }
    }

    /**
     * Folds one update in.
     *
     * @param update parameters with the layout's names and shapes, all finite
     * @param weight its weight (e.g. number of training examples), finite and > 0
     * @throws InvalidInputException for a wrong layout, a non-finite value or a bad weight; nothing is added
     */
    public void add(ModelParameters update, double weight) {
        if (!(weight > 0) || !Double.isFinite(weight)) {
            throw new InvalidInputException("weight must be finite and > 0, got " + weight);
        }
        layout.requireSameLayout(update);
        update.requireFinite();
        for (int i = 0; i < sums.length; i++) {
            float[] x = update.tensors().get(i).data();
            double[] s = sums[i];
            for (int j = 0; j < s.length; j++) {
                s[j] += weight * x[j];
            }
        }
        totalWeight += weight;
        count++;
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
     * @throws IllegalStateException when nothing was added (an empty mean is undefined)
     */
    public ModelParameters mean() {
        if (count == 0) {
            throw new IllegalStateException("no updates were added");
        }
        List<Tensor> out = new ArrayList<>(sums.length);
        for (int i = 0; i < sums.length; i++) {
            Tensor t = layout.tensors().get(i);
            float[] r = new float[sums[i].length];
            for (int j = 0; j < r.length; j++) {
                r[j] = (float) (sums[i][j] / totalWeight);
            }
            out.add(new Tensor(t.name(), t.shape(), r));
        }
        return new ModelParameters(out);
    }
}
