package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Server momentum, FedAvgM (Hsu et al. 2019, "Measuring the Effects of Non-Identical Data Distribution"): per
 * coordinate {@code v = beta * v + delta}, then {@code x = x + lr * v}, starting from {@code v = 0}. With beta = 0 it
 * is {@link ServerSgd}. Its state is the velocity, one float per parameter, restored exactly. Not thread-safe.
 */
public final class ServerMomentum implements ServerOptimizer {
    static final String KIND = "momentum";
    private final float learningRate;
    private final float momentum;
    private ModelParameters velocity;

    /**
     * @param learningRate server learning rate, finite and > 0
     * @param momentum     beta, in [0, 1)
     */
    public ServerMomentum(float learningRate, float momentum) {
        AdaptiveOptimizer.requireRate(learningRate);
        AdaptiveOptimizer.requireUnit("momentum", momentum);
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    @Override
    public ModelParameters step(ModelParameters global, AggregatedUpdate update) {
        global.requireSameLayout(update.delta());
        if (velocity != null) {
            AdaptiveOptimizer.requireStateLayout(global, velocity, KIND);
        }
        List<Tensor> nextV = new ArrayList<>(global.tensors().size());
        List<Tensor> nextX = new ArrayList<>(global.tensors().size());
        for (int i = 0; i < global.tensors().size(); i++) {
            Tensor x = global.tensors().get(i);
            float[] d = update.delta().tensors().get(i).data();
            float[] v0 = velocity == null ? null : velocity.tensors().get(i).data();
            float[] v = new float[d.length];
            float[] out = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                v[j] = (v0 == null ? 0f : momentum * v0[j]) + d[j];
                out[j] = x.data()[j] + learningRate * v[j];
            }
            nextV.add(new Tensor(x.name(), x.shape(), v));
            nextX.add(new Tensor(x.name(), x.shape(), out));
        }
        velocity = new ModelParameters(nextV);
        return new ModelParameters(nextX);
    }

    /** @return the velocity after the last step; empty before the first */
    @Override
    public byte[] state() {
        return velocity == null ? new byte[0] : OptimizerState.write(KIND, List.of(velocity));
    }

    /**
     * @param state this optimizer's state, empty, or another optimizer's (both start from v = 0)
     * @throws InvalidInputException for bytes that are not optimizer state
     */
    @Override
    public void restore(byte[] state) {
        velocity = OptimizerState.read(KIND, 1, state).map(m -> m.get(0)).orElse(null);
    }
}
