package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;
import java.util.List;
import java.util.Random;

/**
 * Decides a federated round: which devices train, and how their updates become the next global
 * model. Privacy and robustness features wrap a strategy rather than subclass it. Implementations
 * are thread-safe.
 */
public interface Strategy {
    /** @return a short name for logs and reports, e.g. "fedavg" */
    String name();

    /**
     * @param round     round number, from 1
     * @param available online, registered devices, sorted
     * @param count     how many to pick, >= 1
     * @param random    seeded per round, so selection is reproducible
     * @return the chosen devices, at most {@code count}; empty when none are available
     */
    List<String> selectDevices(long round, List<String> available, int count, Random random);

    /** @return an empty aggregator for a round that starts from {@code global} */
    Aggregator newAggregator(ModelParameters global);
}
