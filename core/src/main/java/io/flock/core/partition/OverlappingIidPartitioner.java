package io.flock.core.partition;

import io.flock.core.InvalidInputException;
import io.flock.core.data.Shuffle;
import java.util.Arrays;
import java.util.Random;

/**
 * For fleets larger than the data set (a platform benchmark, not a learning one): shuffles once, then gives device d
 * the {@code samplesPerDevice} samples at positions {@code d·k .. d·k + k - 1} of the shuffled order, wrapping around,
 * so every sample is held by about {@code devices·k / n} devices and labels mix like the whole set.
 */
public final class OverlappingIidPartitioner implements Partitioner {
    private final int samplesPerDevice;

    /** @param samplesPerDevice samples each device holds, >= 1 */
    public OverlappingIidPartitioner(int samplesPerDevice) {
        if (samplesPerDevice < 1) {
            throw new InvalidInputException("samplesPerDevice must be >= 1, got " + samplesPerDevice);
        }
        this.samplesPerDevice = samplesPerDevice;
    }

    @Override
    public int[][] partition(int[] labels, int devices, Random random) {
        if (devices < 1 || labels.length < samplesPerDevice) {
            throw new InvalidInputException("cannot give " + devices + " devices " + samplesPerDevice + " of " + labels.length + " samples each");
        }
        int[] order = Shuffle.permutation(labels.length, random);
        int[][] out = new int[devices][samplesPerDevice];
        for (int d = 0; d < devices; d++) {
            for (int j = 0; j < samplesPerDevice; j++) {
                out[d][j] = order[(int) (((long) d * samplesPerDevice + j) % labels.length)];
            }
            Arrays.sort(out[d]);
        }
        return out;
    }
}
