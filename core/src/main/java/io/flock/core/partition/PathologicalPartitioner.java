package io.flock.core.partition;

import io.flock.core.InvalidInputException;
import io.flock.core.data.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The pathological non-IID split of McMahan et al. (2017): sort samples by label, cut them into
 * {@code devices * shardsPerDevice} equal shards, and give each device {@code shardsPerDevice}
 * shards. Shards are dealt so that a device's shards carry distinct labels whenever shards are
 * single-label, so each device sees exactly {@code shardsPerDevice} labels (reshuffling up to 1,000
 * times). Samples left over by the equal cut are not used.
 *
 * @param shardsPerDevice shards (and so labels) per device, >= 1
 */
public record PathologicalPartitioner(int shardsPerDevice) implements Partitioner {
    /** Validates the parameter. */
    public PathologicalPartitioner {
        if (shardsPerDevice < 1) {
            throw new InvalidInputException("shardsPerDevice must be >= 1, got " + shardsPerDevice);
        }
    }

    @Override
    public int[][] partition(int[] labels, int devices, Random random) {
        int shards = devices * shardsPerDevice;
        if (devices < 1 || shards > labels.length) {
            throw new InvalidInputException("cannot cut " + labels.length + " samples into " + shards + " shards for "
                    + devices + " devices");
        }
        int classes = Arrays.stream(labels).max().orElse(0) + 1;
        if (shardsPerDevice > classes) {
            throw new InvalidInputException("shardsPerDevice=" + shardsPerDevice + " exceeds the " + classes + " labels in the data");
        }
        Integer[] byLabel = new Integer[labels.length];
        for (int i = 0; i < labels.length; i++) {
            byLabel[i] = i;
        }
        Arrays.sort(byLabel, (a, b) -> labels[a] != labels[b] ? Integer.compare(labels[a], labels[b]) : Integer.compare(a, b));
        int size = labels.length / shards;
        int[] shardLabel = new int[shards];
        for (int s = 0; s < shards; s++) {
            shardLabel[s] = labels[byLabel[s * size]];
        }
        int[][] dealt = deal(shardLabel, devices, random);
        int[][] out = new int[devices][];
        for (int d = 0; d < devices; d++) {
            int[] idx = new int[shardsPerDevice * size];
            int k = 0;
            for (int s : dealt[d]) {
                for (int j = 0; j < size; j++) {
                    idx[k++] = byLabel[s * size + j];
                }
            }
            Arrays.sort(idx);
            out[d] = idx;
        }
        return out;
    }

    /** Deals shard ids to devices, distinct labels per device where possible. */
    private int[][] deal(int[] shardLabel, int devices, Random random) {
        int[][] best = null;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int[] order = Shuffle.permutation(shardLabel.length, random);
            List<Integer> pool = new ArrayList<>();
            for (int s : order) {
                pool.add(s);
            }
            int[][] dealt = new int[devices][shardsPerDevice];
            boolean distinct = true;
            for (int d = 0; d < devices; d++) {
                Set<Integer> seen = new HashSet<>();
                for (int k = 0; k < shardsPerDevice; k++) {
                    int pick = 0;
                    while (pick < pool.size() && seen.contains(shardLabel[pool.get(pick)])) {
                        pick++;
                    }
                    if (pick == pool.size()) {
                        pick = 0;
                        distinct = false;
                    }
                    int s = pool.remove(pick);
                    seen.add(shardLabel[s]);
                    dealt[d][k] = s;
                }
            }
            if (distinct) {
                return dealt;
            }
            best = dealt;
        }
        return best;
    }
}
