package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Who shares with whom: a Harary graph H(k, n) over a permutation of the participants, so the same
 * (participants, neighbours, roundId) gives every device and the server the same graph. Participants sit on a
 * ring in permuted order; each is joined to the floor(k/2) nearest on either side. For odd k one more "diameter"
 * edge each: to the opposite position when n is even; when n is odd (an odd-degree regular graph on an odd number
 * of vertices does not exist) position p &lt;= (n-1)/2 is joined to p + (n-1)/2, which gives one participant degree
 * k + 1 and all others k. Symmetric, no self-loops. The permutation is a Fisher-Yates shuffle driven by AES-CTR
 * keyed with SHA-256("flock.secagg.v1.graph", 0x00, roundId), each draw a 32-bit word taken mod the range
 * (a bias below n / 2^32, harmless for a public graph). Immutable and thread-safe; O(n) memory.
 */
public final class NeighbourGraph {
    private final int n;
    private final int k;
    private final int[] atPosition;
    private final int[] positionOf;

    /**
     * @param participants n, at least 2
     * @param neighbours   k, 1..n-1
     * @param roundId      seeds the permutation
     */
    public NeighbourGraph(int participants, int neighbours, byte[] roundId) {
        if (participants < 2 || neighbours < 1 || neighbours > participants - 1) {
            throw new InvalidInputException("graph of " + participants + " participants and degree " + neighbours
                    + ": need n >= 2 and 1 <= k <= n-1");
        }
        this.n = participants;
        this.k = neighbours;
        this.atPosition = new int[n];
        this.positionOf = new int[n];
        int[] words = new int[n];
        MaskStream.apply(seed(roundId), words, 1);
        for (int i = 0; i < n; i++) {
            atPosition[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (Integer.toUnsignedLong(words[i]) % (i + 1));
            int t = atPosition[i];
            atPosition[i] = atPosition[j];
            atPosition[j] = t;
        }
        for (int p = 0; p < n; p++) {
            positionOf[atPosition[p]] = p;
        }
    }

    /** @return the graph of the round {@code params} describe */
    public static NeighbourGraph of(SecAggParams params) {
        return new NeighbourGraph(params.participants(), params.neighbours(), params.roundId());
    }

    /** @return n */
    public int participants() {
        return n;
    }

    /** @return k, the degree of every participant but (odd k, odd n) one, which has k + 1 */
    public int degree() {
        return k;
    }

    /** @return i's neighbours, ascending, unmodifiable; never contains i */
    public List<Integer> neighbours(int i) {
        check(i);
        int p = positionOf[i];
        List<Integer> out = new ArrayList<>(k + 1);
        for (int d = 1; d <= k / 2; d++) {
            out.add(atPosition[Math.floorMod(p + d, n)]);
            out.add(atPosition[Math.floorMod(p - d, n)]);
        }
        if (k % 2 == 1) {
            if (n % 2 == 0) {
                out.add(atPosition[(p + n / 2) % n]);
            } else {
                int h = (n - 1) / 2;
                if (p <= h) {
                    out.add(atPosition[p + h]);
                }
                if (p >= h) {
                    out.add(atPosition[p - h]);
                }
            }
        }
        Collections.sort(out);
        return Collections.unmodifiableList(out);
    }

    /** @return whether i and j are joined (false for i == j) */
    public boolean areNeighbours(int i, int j) {
        check(i);
        check(j);
        if (i == j) {
            return false;
        }
        int p = positionOf[i];
        int q = positionOf[j];
        int d = Math.floorMod(q - p, n);
        if (Math.min(d, n - d) <= k / 2) {
            return true;
        }
        if (k % 2 == 0) {
            return false;
        }
        if (n % 2 == 0) {
            return d == n / 2;
        }
        int h = (n - 1) / 2;
        return Math.abs(q - p) == h && Math.min(p, q) <= h;
    }

    private void check(int i) {
        if (i < 0 || i >= n) {
            throw new InvalidInputException("participant " + i + " outside 0.." + (n - 1));
        }
    }

    private static byte[] seed(byte[] roundId) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Kdf.info("flock.secagg.v1.graph", roundId));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
