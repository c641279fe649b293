package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The shares a client received in stage 3 and keeps for stage 4: per sender, its share of b and of s_sk. */
final class HeldShares {
    private final int index;
    private final Map<Integer, byte[]> seedShares;
    private final Map<Integer, byte[]> keyShares;

    private HeldShares(int index, Map<Integer, byte[]> seedShares, Map<Integer, byte[]> keyShares) {
        this.index = index;
        this.seedShares = seedShares;
        this.keyShares = keyShares;
    }

    /**
     * Decrypts and checks every share addressed to {@code index}.
     *
     * @param shareKeys per advertised neighbour, the AES-GCM key shared with it
     * @throws InvalidInputException for a wrong receiver, an unknown or repeated sender, a failed tag, bad share bytes
     *                               or fewer than threshold senders
     */
    static HeldShares open(List<EncryptedShare> received, Map<Integer, byte[]> shareKeys, int index, SecAggParams params) {
        byte[] roundId = params.roundId();
        Map<Integer, byte[]> seeds = new TreeMap<>();
        Map<Integer, byte[]> keys = new TreeMap<>();
        for (EncryptedShare s : received) {
            if (s.to() != index) {
                throw new InvalidInputException("share from " + s.from() + " is addressed to " + s.to() + ", not " + index);
            }
            byte[] key = shareKeys.get(s.from());
            if (key == null) {
                throw new InvalidInputException("share from " + s.from() + ", which is no advertised neighbour of " + index);
            }
            if (seeds.containsKey(s.from())) {
                throw new InvalidInputException("two shares from " + s.from());
            }
            byte[] plain = ShareCipher.open(key, roundId, s.from(), index, s.ciphertext());
            byte[] seedShare = Arrays.copyOfRange(plain, 0, Shamir.SHARE_BYTES);
            byte[] keyShare = Arrays.copyOfRange(plain, Shamir.SHARE_BYTES, plain.length);
            for (byte[] share : List.of(seedShare, keyShare)) {
                if (Shamir.Share.decode(share, params.participants()).x() != index + 1) {
                    throw new InvalidInputException("share from " + s.from() + " is for another participant");
                }
            }
            seeds.put(s.from(), seedShare);
            keys.put(s.from(), keyShare);
        }
        if (seeds.size() < params.threshold()) {
            throw new InvalidInputException(seeds.size() + " neighbours shared with " + index + ", threshold "
                    + params.threshold());
        }
        return new HeldShares(index, seeds, keys);
    }

    /** @return the senders, ascending: the neighbours this client masks with */
    Set<Integer> senders() {
        return seedShares.keySet();
    }

    /** @throws InvalidInputException for an index in both lists, twice in one, or not a sender */
    Reveal reveal(List<Integer> survivors, List<Integer> dropped) {
        Set<Integer> seen = new HashSet<>();
        Map<Integer, byte[]> seeds = pick(survivors, seedShares, seen);
        Map<Integer, byte[]> keys = pick(dropped, keyShares, seen);
        return new Reveal(index, seeds, keys);
    }

    private Map<Integer, byte[]> pick(List<Integer> asked, Map<Integer, byte[]> held, Set<Integer> seen) {
        Map<Integer, byte[]> out = new TreeMap<>();
        for (Integer j : asked) {
            if (j == null || !held.containsKey(j)) {
                throw new InvalidInputException("participant " + j + " did not share with " + index);
            }
            if (!seen.add(j)) {
                throw new InvalidInputException("participant " + j + " asked for twice (as survivor and dropped, or repeated)");
            }
            out.put(j, held.get(j));
        }
        return out;
    }
}
