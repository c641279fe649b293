package io.flock.coordinator.strategy;

import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.tensor.ModelParameters;

/** The weight-weighted mean of the deltas (FedAvg's aggregation). Memory O(parameters), not O(updates x parameters). */
public final class WeightedMean implements Aggregator {
    private final StreamingWeightedMean mean;
    private int contributors;

    /** @param layout names and shapes every update must have */
    public WeightedMean(ModelParameters layout) {
        this.mean = new StreamingWeightedMean(layout);
    }

    @Override
    public void add(ClientUpdate update) {
        mean.add(update.delta(), update.weight());
        contributors += update.contributors();
    }

    @Override
    public int count() {
        return mean.count();
    }

    @Override
    public AggregatedUpdate result() {
        return new AggregatedUpdate(mean.mean(), mean.totalWeight(), contributors);
    }
}
