package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;

/**
 * Folds a round's updates into a new global model as they stream in. Order of use: {@link #add}
 * for each accepted update, then {@link #result()} once. Not thread-safe: the round serialises calls.
 */
public interface Aggregator {
    /**
     * @param delta  the device's trained parameters minus the round's base parameters
     * @param weight its weight (number of training examples), > 0
     * @throws io.flock.core.InvalidInputException for a wrong layout or non-finite values; nothing is added
     */
    void add(ModelParameters delta, double weight);

    /** @return how many updates were added */
    int count();

    /**
     * @return the new global parameters
     * @throws IllegalStateException when nothing was added
     */
    ModelParameters result();
}
