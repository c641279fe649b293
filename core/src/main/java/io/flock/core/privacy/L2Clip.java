package io.flock.core.privacy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Clips a whole update to an L2 norm bound C, taken over all its tensors as one vector (flat clipping): the
 * update is scaled by {@code min(1, C / norm)}. This bounds one participant's contribution, the sensitivity that
 * {@link GaussianNoise} and {@link RdpAccountant} assume. Immutable and thread-safe.
 */
public final class L2Clip {
    private final double maxNorm;

    /**
     * The result of clipping.
     *
     * @param parameters the clipped parameters (a new object; the input is not changed)
     * @param norm       the L2 norm of the input, computed in double
     * @param clipped    true when the input's norm exceeded the bound and it was scaled down
     */
    public record Clipped(ModelParameters parameters, double norm, boolean clipped) {
    }

    /**
     * @param maxNorm the bound C, finite and > 0
     * @throws InvalidInputException naming the bad value
     */
    public L2Clip(double maxNorm) {
        if (!(maxNorm > 0 && maxNorm < Double.POSITIVE_INFINITY)) {
            throw new InvalidInputException("clip norm must be finite and > 0, got " + maxNorm);
        }
        this.maxNorm = maxNorm;
    }

    /** @return the bound C */
    public double maxNorm() {
        return maxNorm;
    }

    /**
     * Scales {@code parameters} to norm C if its norm is above C, else copies it unchanged. The result's norm is C
     * up to float32 rounding of each value (about 1e-7 relative).
     *
     * @throws InvalidInputException if a value is NaN or infinite (naming tensor and index)
     */
    public Clipped clip(ModelParameters parameters) {
        parameters.requireFinite();
        double norm = norm(parameters);
        boolean clipped = norm > maxNorm;
        double scale = clipped ? maxNorm / norm : 1.0;
        List<Tensor> out = new ArrayList<>(parameters.tensors().size());
        for (Tensor t : parameters.tensors()) {
            float[] in = t.data();
            float[] r = new float[in.length];
            for (int i = 0; i < in.length; i++) {
                r[i] = clipped ? (float) (in[i] * scale) : in[i];
            }
            out.add(new Tensor(t.name(), t.shape(), r));
        }
        return new Clipped(new ModelParameters(out), norm, clipped);
    }

    /** @return the L2 norm over all values of all tensors, accumulated in double; 0 for no values */
    public static double norm(ModelParameters parameters) {
        double sum = 0;
        for (Tensor t : parameters.tensors()) {
            for (float v : t.data()) {
                sum += (double) v * v;
            }
        }
        return Math.sqrt(sum);
    }
}
