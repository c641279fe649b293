package io.flock.simulator.fleet;

import io.flock.agent.training.UpdateTamper;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Uploads noise instead of the trained update: every value drawn from N(0, sigma^2), from a generator seeded by the
 * device's seed and the round, so a run repeats. Test-only, through {@link UpdateTamper}.
 */
final class GaussianUpdate implements UpdateTamper {
    private final double sigma;
    private final long seed;

    /**
     * @param sigma the noise's standard deviation, > 0
     * @param seed  this device's seed
     */
    GaussianUpdate(double sigma, long seed) {
        this.sigma = sigma;
        this.seed = seed;
    }

    @Override
    public ModelParameters update(ModelParameters delta, long round) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + round);
        List<Tensor> out = new ArrayList<>(delta.tensors().size());
        for (Tensor t : delta.tensors()) {
            float[] r = new float[t.size()];
            for (int j = 0; j < r.length; j++) {
                r[j] = (float) (sigma * random.nextGaussian());
            }
            out.add(new Tensor(t.name(), t.shape(), r));
        }
        return new ModelParameters(out);
    }

    @Override
    public String toString() {
        return "gaussian (update replaced by N(0, " + sigma + "^2) noise)";
    }
}
