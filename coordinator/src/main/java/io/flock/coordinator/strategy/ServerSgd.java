package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;

/** A plain server step, global + lr x delta. With lr = 1 and a {@link WeightedMean} it is FedAvg. Stateless. */
public final class ServerSgd implements ServerOptimizer {
    private final float learningRate;

    /** @param learningRate server learning rate, finite and > 0 */
    public ServerSgd(float learningRate) {
        AdaptiveOptimizer.requireRate(learningRate);
        this.learningRate = learningRate;
    }

    @Override
    public ModelParameters step(ModelParameters global, AggregatedUpdate update) {
        return global.plusScaled(update.delta(), learningRate);
    }

    @Override
    public byte[] state() {
        return new byte[0];
    }

    /**
     * @param state empty, or another optimizer's state (a strategy change), which SGD has no use for
     * @throws io.flock.core.InvalidInputException for bytes that are not optimizer state
     */
    @Override
    public void restore(byte[] state) {
        if (state.length != 0) {
            OptimizerState.kindOf(state);
        }
    }
}
