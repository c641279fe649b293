package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;

/**
 * Turns an aggregated update into the next global model. It may keep state (momentum, moments), which is
 * stored with the version each step produced, so a restarted coordinator continues the same trajectory.
 * Order of use: {@link #restore} with the state stored on the round's base version, then {@link #step},
 * then {@link #state()} to store with the new version. Not thread-safe: one round at a time uses it.
 */
public interface ServerOptimizer {
    /** @return the next global parameters; {@code global} is not modified */
    ModelParameters step(ModelParameters global, AggregatedUpdate update);

    /** @return the state after the last step, to store with the version it produced; empty when stateless */
    byte[] state();

    /**
     * @param state what {@link #state()} returned for the base version; empty = start fresh
     * @throws io.flock.core.InvalidInputException for state this optimizer cannot read
     */
    void restore(byte[] state);
}
