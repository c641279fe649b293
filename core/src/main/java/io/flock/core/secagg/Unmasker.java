package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Server, stage 4: collects reveals, rebuilds each survivor's seed b_i and each dropped participant's s_sk_j, and
 * takes their masks off the sum. Uses the first threshold shares by sender; extra shares are not cross-checked.
 * A rebuilt s_sk_j is checked against j's advertised s_pk. Not thread-safe.
 */
final class Unmasker {
    private final SecAggParams params;
    private final NeighbourGraph graph;
    private final Map<Integer, KeyAdvertisement> advertisements;
    private final Map<Integer, UnmaskRequest> requests;
    private final Map<Integer, Reveal> reveals = new TreeMap<>();

    /** @param requests per participant in U3, what it was asked for */
    Unmasker(SecAggParams params, NeighbourGraph graph, Map<Integer, KeyAdvertisement> advertisements,
             Map<Integer, UnmaskRequest> requests) {
        this.params = params;
        this.graph = graph;
        this.advertisements = advertisements;
        this.requests = requests;
    }

    /**
     * @return ACCEPTED, or DUPLICATE for a reveal identical to the one recorded
     * @throws InvalidInputException when r.from is not in U3, holds a share not asked of it or bad share bytes, or
     *                               already sent a different reveal
     */
    Receipt add(Reveal r) {
        UnmaskRequest asked = requests.get(r.from());
        if (asked == null) {
            throw new InvalidInputException("reveal from participant " + r.from() + ", which sent no masked vector");
        }
        check(r.from(), r.selfMaskShares(), asked.survivors(), "self-mask");
        check(r.from(), r.keyShares(), asked.dropped(), "key");
        Reveal earlier = reveals.get(r.from());
        if (earlier != null) {
            if (earlier.equals(r)) {
                return Receipt.DUPLICATE;
            }
            throw new InvalidInputException("participant " + r.from() + " already sent a different reveal");
        }
        reveals.put(r.from(), r);
        return Receipt.ACCEPTED;
    }

    private void check(int from, Map<Integer, byte[]> shares, List<Integer> asked, String kind) {
        for (Map.Entry<Integer, byte[]> e : shares.entrySet()) {
            if (!asked.contains(e.getKey())) {
                throw new InvalidInputException("reveal from " + from + " holds a " + kind + " share of " + e.getKey()
                        + ", which was not asked of it");
            }
            if (Shamir.Share.decode(e.getValue(), params.participants()).x() != from + 1) {
                throw new InvalidInputException("reveal from " + from + " holds a " + kind + " share of " + e.getKey()
                        + " made for another participant");
            }
        }
    }

    /**
     * Removes every mask from {@code sum} in place.
     *
     * @param survivors U3
     * @param dropped   U2 minus U3: those with a neighbour in U3 have masks in the sum
     * @throws SecAggAbortedException when a secret has fewer than threshold shares, or a rebuilt key is not the advertised one
     */
    void unmask(int[] sum, Set<Integer> survivors, Set<Integer> dropped) {
        byte[] roundId = params.roundId();
        Map<Integer, List<Shamir.Share>> seedShares = new TreeMap<>();
        Map<Integer, List<Shamir.Share>> keyShares = new TreeMap<>();
        for (Reveal r : reveals.values()) {
            r.selfMaskShares().forEach((j, s) -> seedShares.computeIfAbsent(j, x -> new ArrayList<>())
                    .add(Shamir.Share.decode(s, params.participants())));
            r.keyShares().forEach((j, s) -> keyShares.computeIfAbsent(j, x -> new ArrayList<>())
                    .add(Shamir.Share.decode(s, params.participants())));
        }
        for (int i : survivors) {
            byte[] seed = rebuild(seedShares.getOrDefault(i, List.of()), "self-mask seed", i);
            MaskStream.apply(Kdf.derive(seed, Kdf.SELF_MASK, roundId), sum, -1);
        }
        for (int j : dropped) {
            List<Integer> affected = graph.neighbours(j).stream().filter(survivors::contains).toList();
            if (affected.isEmpty()) {
                continue;
            }
            byte[] scalar = rebuild(keyShares.getOrDefault(j, List.of()), "masking key", j);
            if (!Arrays.equals(X25519.publicOf(scalar), advertisements.get(j).maskingKey())) {
                throw new SecAggAbortedException("unmask: the rebuilt masking key of participant " + j
                        + " does not match its advertisement (a revealed share was wrong)");
            }
            for (int i : affected) {
                byte[] secret = X25519.agree(scalar, advertisements.get(i).maskingKey(), "masking key of " + i);
                // i added +PRG(s_ij) when j > i and -PRG(s_ij) when j < i: take the same off
                MaskStream.apply(Kdf.derive(secret, Kdf.PAIRWISE_MASK, roundId), sum, j > i ? -1 : 1);
            }
        }
    }

    private byte[] rebuild(List<Shamir.Share> shares, String what, int owner) {
        if (shares.size() < params.threshold()) {
            throw new SecAggAbortedException("unmask: " + shares.size() + " shares of the " + what + " of participant "
                    + owner + ", threshold " + params.threshold());
        }
        try {
            return Shamir.combine(shares, params.threshold());
        } catch (InvalidInputException e) {
            throw new SecAggAbortedException("unmask: the " + what + " of participant " + owner + ": " + e.getMessage());
        }
    }
}
