package io.flock.core.privacy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Adds independent N(0, std^2) noise to every value of a {@link ModelParameters}: the Gaussian mechanism. For
 * DP, std is the noise multiplier times the clip norm ({@link L2Clip}) of the sum being noised.
 *
 * <p>The source of randomness is the caller's: the coordinator passes a {@link java.security.SecureRandom}, tests a
 * seeded {@link java.util.Random}. Thread safety is that of the generator (both of those are thread-safe).
 *
 * <p>Known limitation: samples are {@code nextGaussian()} doubles rounded to float32 and added in floating point.
 * Mironov 2012 ("On significance of the least significant bits for differential privacy") shows that textbook
 * floating-point noise leaks through the gaps in the set of representable results, so the guarantee computed by
 * {@link RdpAccountant} holds for the ideal real-valued mechanism, not bit-for-bit for this one. A snapping or
 * discrete-Gaussian mechanism would close that gap.
 */
public final class GaussianNoise {
    private final RandomGenerator random;

    /** @param random the source of randomness, used for every call */
    public GaussianNoise(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * @param parameters the values to perturb (not changed)
     * @param std        standard deviation of the noise, finite and >= 0; 0 returns an equal copy
     * @return new parameters, same layout, each value plus its own fresh N(0, std^2) sample
     * @throws InvalidInputException naming a bad std
     */
    public ModelParameters add(ModelParameters parameters, double std) {
        if (!(std >= 0 && std < Double.POSITIVE_INFINITY)) {
            throw new InvalidInputException("noise std must be finite and >= 0, got " + std);
        }
        List<Tensor> out = new ArrayList<>(parameters.tensors().size());
        for (Tensor t : parameters.tensors()) {
            float[] in = t.data();
            float[] r = new float[in.length];
            for (int i = 0; i < in.length; i++) {
                r[i] = std == 0 ? in[i] : (float) (in[i] + std * random.nextGaussian());
            }
            out.add(new Tensor(t.name(), t.shape(), r));
        }
        return new ModelParameters(out);
    }
}
