package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.util.Arrays;

/**
 * What every participant and the server of one SecAgg+ round agree on.
 *
 * @param roundId      binds every key derivation and every share ciphertext to this round (e.g. UTF-8 of
 *                     "model/round"); non-empty; copied in and out
 * @param participants n, the devices selected for the round, indices 0..n-1; at least 2
 * @param neighbours   k, each participant's degree in the {@link NeighbourGraph}; 1..n-1 (n-1 = full SecAgg)
 * @param threshold    t, the shares needed to rebuild a secret; 1..k
 * @param length       the ints each participant sums (ring Z_2^32); at least 1
 */
public record SecAggParams(byte[] roundId, int participants, int neighbours, int threshold, int length) {
    /** Validates every field, naming the bad value. */
    public SecAggParams {
        if (roundId == null || roundId.length == 0) {
            throw new InvalidInputException("secagg roundId is empty");
        }
        roundId = roundId.clone();
        if (participants < 2) {
            throw new InvalidInputException("secagg participants " + participants + ", need at least 2");
        }
        if (neighbours < 1 || neighbours > participants - 1) {
            throw new InvalidInputException("secagg neighbours " + neighbours + " outside 1.." + (participants - 1));
        }
        if (threshold < 1 || threshold > neighbours) {
            throw new InvalidInputException("secagg threshold " + threshold + " outside 1.." + neighbours);
        }
        if (length < 1) {
            throw new InvalidInputException("secagg length " + length + ", need at least 1");
        }
    }

    /** @return params with {@link #defaultNeighbours} and {@link #defaultThreshold} for {@code participants} */
    public static SecAggParams withDefaults(byte[] roundId, int participants, int length) {
        int k = defaultNeighbours(participants);
        return new SecAggParams(roundId, participants, k, defaultThreshold(k), length);
    }

    /**
     * min(n - 1, 128): full SecAgg up to 129 participants, then a 128-regular graph. With t = k/2 + 1 and each
     * participant dropping independently with probability 0.3, a participant's secret is lost (fewer than t of its
     * k neighbours left) with probability P[Bin(k, 0.7) &lt; t]: 6.3e-4 at k = 64, 1.4e-4 at k = 80, 1.7e-6 at
     * k = 128. A round fails if that happens to any of its n participants, at most n times that: at k = 128, 0.17 %
     * of rounds at n = 1000 and 1.7 % at n = 10,000 (k = 64 would fail 47 % at n = 1000). The price is per device:
     * k key agreements and k + 1 PRG expansions of {@code length} ints.
     *
     * @param participants n, at least 2
     * @return the default degree k
     */
    public static int defaultNeighbours(int participants) {
        if (participants < 2) {
            throw new InvalidInputException("secagg participants " + participants + ", need at least 2");
        }
        return Math.min(participants - 1, 128);
    }

    /** @return floor(k/2) + 1: a majority of a participant's neighbours must help to rebuild its secrets */
    public static int defaultThreshold(int neighbours) {
        if (neighbours < 1) {
            throw new InvalidInputException("secagg neighbours " + neighbours + ", need at least 1");
        }
        return neighbours / 2 + 1;
    }

    /** @return a copy of the round id */
    @Override
    public byte[] roundId() {
        return roundId.clone();
    }

    /** Compares the round id by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SecAggParams p && Arrays.equals(roundId, p.roundId) && participants == p.participants
                && neighbours == p.neighbours && threshold == p.threshold && length == p.length;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(roundId) + participants * 17 + neighbours * 7 + threshold * 3 + length;
    }

    @Override
    public String toString() {
        return "SecAggParams[roundId=" + roundId.length + " bytes, n=" + participants + ", k=" + neighbours
                + ", t=" + threshold + ", length=" + length + "]";
    }
}
