package io.flock.coordinator.strategy;

/**
 * Folds a round's updates into one aggregated update. Order of use: {@link #add} for each accepted update, then,
 * when {@link #count()} is at least {@link #minimumUpdates()}, {@link #result()} once. {@link WeightedMean} folds
 * as updates stream in (memory O(P)); the robust rules ({@link CoordinateMedian}, {@link TrimmedMean},
 * {@link Krum}) keep all K updates (O(K·P)). Not thread-safe: the round serialises calls.
 */
public interface Aggregator {
    /**
     * @param update finite, with a valid weight ({@link ClientUpdate} checks both when it is made)
     * @throws io.flock.core.InvalidInputException for a wrong layout; nothing is added
     */
    void add(ClientUpdate update);

    /** @return how many updates were added */
    int count();

    /**
     * @return the fewest updates this rule can combine into something meaningful (1 for a mean); a round that
     *         closes with fewer keeps its version instead of calling {@link #result()}
     */
    default int minimumUpdates() {
        return 1;
    }

    /**
     * @return the aggregated update
     * @throws IllegalStateException when nothing was added (an empty aggregate is undefined), or fewer than
     *                               {@link #minimumUpdates()}
     */
    AggregatedUpdate result();
}
