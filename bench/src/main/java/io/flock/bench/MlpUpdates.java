package io.flock.bench;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * K seeded Gaussian updates with the layout of W1's MLP (784-200-200-10: 199,210 float32 parameters, 0.8 MB each),
 * the update a round of Fashion-MNIST devices uploads. 100 of them are 80 MB: more than this machine's 32 MiB L3,
 * so a pass over all of them reads from memory.
 */
final class MlpUpdates {
    /** Layer widths of the MLP. */
    static final int[] WIDTHS = {784, 200, 200, 10};

    private MlpUpdates() {
    }

    /** @return the MLP's parameter count (199,210) */
    static long parameters() {
        return layout(new SplittableRandom(0), 0f).totalSize();
    }

    /**
     * @param k     how many updates
     * @param seed  the generator's seed
     * @param sigma each value's standard deviation
     * @return k distinct updates, each its own arrays
     */
    static List<ModelParameters> of(int k, long seed, float sigma) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ModelParameters> updates = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            updates.add(layout(random, sigma));
        }
        return updates;
    }

    private static ModelParameters layout(SplittableRandom random, float sigma) {
        List<Tensor> tensors = new ArrayList<>();
        for (int l = 1; l < WIDTHS.length; l++) {
            tensors.add(tensor("layer" + l + ".weight", new int[] {WIDTHS[l - 1], WIDTHS[l]}, random, sigma));
            tensors.add(tensor("layer" + l + ".bias", new int[] {WIDTHS[l]}, random, sigma));
        }
        return new ModelParameters(tensors);
    }

    private static Tensor tensor(String name, int[] shape, SplittableRandom random, float sigma) {
        float[] data = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (gaussian(random) * sigma);
        }
        return new Tensor(name, shape, data);
    }

    private static double gaussian(SplittableRandom random) { // Box-Muller: SplittableRandom has no nextGaussian on 17
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
