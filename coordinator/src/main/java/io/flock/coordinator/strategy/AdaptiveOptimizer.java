package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The adaptive server step of Reddi et al. 2021 ("Adaptive Federated Optimization", Algorithm 2), shared by
 * {@link ServerAdam}, {@link ServerYogi} and {@link ServerAdagrad}, which differ only in how the second moment
 * {@code v} follows the squared delta. Per coordinate, from {@code m = 0} and {@code v = tau^2}:
 * {@code m = beta1 * m + (1 - beta1) * delta}, {@code v = rule(v, delta^2)},
 * {@code x = x + lr * m / (sqrt(v) + tau)}. Arithmetic is in double; m, v and x are rounded to float once per step,
 * so the stored state continues the trajectory bit for bit. No bias correction (the paper has none; Flower's
 * FedAdam adds Adam's). Not thread-safe.
 */
abstract class AdaptiveOptimizer implements ServerOptimizer {
    private final String kind;
    private final float learningRate;
    private final float beta1;
    private final float tau;
    private ModelParameters first;
    private ModelParameters second;

    AdaptiveOptimizer(String kind, float learningRate, float beta1, float tau) {
        requireRate(learningRate);
        requireUnit("beta1", beta1);
        if (!(tau > 0) || !Float.isFinite(tau)) {
            throw new InvalidInputException("tau must be finite and > 0, got " + tau);
        }
        this.kind = kind;
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.tau = tau;
    }

    /** @return the next second moment of one coordinate, given the last and the squared delta */
    abstract double secondMoment(double v, double deltaSquared);

    @Override
    public final ModelParameters step(ModelParameters global, AggregatedUpdate update) {
        global.requireSameLayout(update.delta());
        if (first != null) {
            requireStateLayout(global, first, kind);
            requireStateLayout(global, second, kind);
        }
        int n = global.tensors().size();
        List<Tensor> nextM = new ArrayList<>(n);
        List<Tensor> nextV = new ArrayList<>(n);
        List<Tensor> nextX = new ArrayList<>(n);
        float v0 = (float) ((double) tau * tau);
        for (int i = 0; i < n; i++) {
            Tensor x = global.tensors().get(i);
            float[] d = update.delta().tensors().get(i).data();
            float[] m0 = first == null ? null : first.tensors().get(i).data();
            float[] s0 = second == null ? null : second.tensors().get(i).data();
            float[] m = new float[d.length];
            float[] v = new float[d.length];
            float[] out = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                double dj = d[j];
                m[j] = (float) (beta1 * (m0 == null ? 0.0 : m0[j]) + (1.0 - beta1) * dj);
                v[j] = (float) secondMoment(s0 == null ? v0 : s0[j], dj * dj);
                out[j] = (float) (x.data()[j] + learningRate * (double) m[j] / (Math.sqrt(v[j]) + tau));
            }
            nextM.add(new Tensor(x.name(), x.shape(), m));
            nextV.add(new Tensor(x.name(), x.shape(), v));
            nextX.add(new Tensor(x.name(), x.shape(), out));
        }
        first = new ModelParameters(nextM);
        second = new ModelParameters(nextV);
        return new ModelParameters(nextX);
    }

    /** @return m and v after the last step; empty before the first */
    @Override
    public final byte[] state() {
        return first == null ? new byte[0] : OptimizerState.write(kind, List.of(first, second));
    }

    /**
     * @param state this optimizer's state, empty, or another optimizer's (both start from m = 0, v = tau^2)
     * @throws InvalidInputException for bytes that are not optimizer state, or m and v of different layouts
     */
    @Override
    public final void restore(byte[] state) {
        List<ModelParameters> moments = OptimizerState.read(kind, 2, state).orElse(null);
        if (moments != null) {
            moments.get(0).requireSameLayout(moments.get(1));
        }
        first = moments == null ? null : moments.get(0);
        second = moments == null ? null : moments.get(1);
    }

    static void requireRate(float learningRate) {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new InvalidInputException("server learning rate must be finite and > 0, got " + learningRate);
        }
    }

    static void requireUnit(String name, float beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new InvalidInputException(name + " must be in [0, 1), got " + beta);
        }
    }

    static void requireStateLayout(ModelParameters global, ModelParameters state, String kind) {
        try {
            global.requireSameLayout(state);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(kind + " state does not fit the model: " + e.getMessage());
        }
    }
}
