package io.flock.coordinator.strategy;

import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Federated averaging (McMahan et al. 2017): uniform random device sampling, and the new global
 * model is the old one plus the example-weighted mean of the devices' deltas. Memory O(parameters).
 */
public final class FedAvg implements Strategy {
    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public List<String> selectDevices(long round, List<String> available, int count, Random random) {
        List<String> pool = new ArrayList<>(available);
        Collections.shuffle(pool, random);
        List<String> picked = new ArrayList<>(pool.subList(0, Math.min(count, pool.size())));
        picked.sort(null);
        return picked;
    }

    @Override
    public Aggregator newAggregator(ModelParameters global) {
        StreamingWeightedMean mean = new StreamingWeightedMean(global);
        return new Aggregator() {
            @Override
            public void add(ModelParameters delta, double weight) {
                mean.add(delta, weight);
            }

            @Override
            public int count() {
                return mean.count();
            }

            @Override
            public ModelParameters result() {
                return global.plusScaled(mean.mean(), 1f);
            }
        };
    }
}
