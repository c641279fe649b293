package io.flock.core.partition;

import io.flock.core.InvalidInputException;
import io.flock.core.data.Shuffle;
import java.util.Arrays;
import java.util.Random;

/** Shuffles and deals samples round-robin: sizes differ by at most one, labels mix like the whole set. */
public final class IidPartitioner implements Partitioner {
    @Override
    public int[][] partition(int[] labels, int devices, Random random) {
        if (devices < 1 || devices > labels.length) {
            throw new InvalidInputException("cannot split " + labels.length + " samples among " + devices + " devices");
        }
        int[] order = Shuffle.permutation(labels.length, random);
        int[][] out = new int[devices][];
        for (int d = 0; d < devices; d++) {
            int size = labels.length / devices + (d < labels.length % devices ? 1 : 0);
            out[d] = new int[size];
        }
        for (int i = 0; i < order.length; i++) {
            out[i % devices][i / devices] = order[i];
        }
        for (int[] part : out) {
            Arrays.sort(part);
        }
        return out;
    }
}
