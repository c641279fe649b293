package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;

/** A plain server step, global + lr x delta. With lr = 1 and a {@link WeightedMean} it is FedAvg. Stateless. */
public final class ServerSgd implements ServerOptimizer {
    private final float learningRate;

    /** @param learningRate server learning rate, finite and > 0 */
    public ServerSgd(float learningRate) {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new InvalidInputException("server learning rate must be finite and > 0, got " + learningRate);
        }
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

    @Override
    public void restore(byte[] state) {
        if (state.length != 0) {
            throw new InvalidInputException("server SGD keeps no state, got " + state.length + " bytes");
        }
    }
}
