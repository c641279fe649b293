package io.flock.core.partition;

import java.util.Random;

/**
 * Splits a labelled dataset among devices. Every sample goes to at most one device. The same labels,
 * device count and seed give the same partition. Implementations are stateless.
 */
public interface Partitioner {
    /**
     * @param labels  class index per sample
     * @param devices number of devices, >= 1
     * @param random  seeded source
     * @return per device, the indices of its samples (sorted ascending)
     * @throws io.flock.core.InvalidInputException when the partition is impossible for this data
     */
    int[][] partition(int[] labels, int devices, Random random);
}
