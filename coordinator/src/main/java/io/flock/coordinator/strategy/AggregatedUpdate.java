package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;

/**
 * What an aggregator makes of a round's updates: a combined delta, not a new model. The server optimizer
 * turns it into the next global model.
 *
 * @param delta        the combined delta
 * @param totalWeight  sum of the weights folded in
 * @param contributors devices behind it
 */
public record AggregatedUpdate(ModelParameters delta, double totalWeight, int contributors) {
}
