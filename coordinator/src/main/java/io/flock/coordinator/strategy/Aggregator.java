package io.flock.coordinator.strategy;

/**
 * Folds a round's updates into one aggregated update as they stream in. Order of use: {@link #add} for
 * each accepted update, then {@link #result()} once. Not thread-safe: the round serialises calls.
 */
public interface Aggregator {
    /**
     * @throws io.flock.core.InvalidInputException for a wrong layout, non-finite values or a bad weight; nothing is added
     */
    void add(ClientUpdate update);

    /** @return how many updates were added */
    int count();

    /**
     * @return the aggregated update
     * @throws IllegalStateException when nothing was added: an empty aggregate is undefined
     */
    AggregatedUpdate result();
}
