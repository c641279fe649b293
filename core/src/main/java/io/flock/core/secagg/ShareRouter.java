package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Server, stage 2: checks each participant's bundle of encrypted shares and later routes them. Not thread-safe. */
final class ShareRouter {
    private final NeighbourGraph graph;
    private final Set<Integer> advertised;
    private final Map<Integer, Map<Integer, byte[]>> bundles = new TreeMap<>();

    /** @param advertised U1 */
    ShareRouter(NeighbourGraph graph, Set<Integer> advertised) {
        this.graph = graph;
        this.advertised = Set.copyOf(advertised);
    }

    /**
     * @return ACCEPTED, or DUPLICATE for a bundle identical to the one recorded for {@code from}
     * @throws InvalidInputException when from is not in U1, a share names another sender, a receiver is not a
     *                               neighbour in U1 or appears twice, a neighbour in U1 is missing, a ciphertext has
     *                               the wrong length, or from already sent a different bundle
     */
    Receipt add(int from, List<EncryptedShare> shares) {
        if (!advertised.contains(from)) {
            throw new InvalidInputException("shares from participant " + from + ", which is not among the "
                    + advertised.size() + " kept advertisers");
        }
        Map<Integer, byte[]> bundle = new TreeMap<>();
        for (EncryptedShare s : shares) {
            if (s.from() != from) {
                throw new InvalidInputException("bundle of participant " + from + " holds a share from " + s.from());
            }
            if (!advertised.contains(s.to()) || !graph.areNeighbours(from, s.to())) {
                throw new InvalidInputException("share from " + from + " to " + s.to() + ", not an advertised neighbour");
            }
            if (s.ciphertext().length != ShareCipher.CIPHERTEXT_BYTES) {
                throw new InvalidInputException("share from " + from + " to " + s.to() + " of " + s.ciphertext().length
                        + " bytes, expected " + ShareCipher.CIPHERTEXT_BYTES);
            }
            if (bundle.put(s.to(), s.ciphertext()) != null) {
                throw new InvalidInputException("two shares from " + from + " to " + s.to());
            }
        }
        Set<Integer> expected = new TreeSet<>(graph.neighbours(from));
        expected.retainAll(advertised);
        if (!bundle.keySet().equals(expected)) {
            expected.removeAll(bundle.keySet());
            throw new InvalidInputException("bundle of participant " + from + " lacks shares to " + expected);
        }
        Map<Integer, byte[]> earlier = bundles.get(from);
        if (earlier != null) {
            if (earlier.keySet().equals(bundle.keySet())
                    && earlier.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), bundle.get(e.getKey())))) {
                return Receipt.DUPLICATE;
            }
            throw new InvalidInputException("participant " + from + " already sent a different bundle of shares");
        }
        bundles.put(from, bundle);
        return Receipt.ACCEPTED;
    }

    /** @return who sent a bundle */
    Set<Integer> senders() {
        return new TreeSet<>(bundles.keySet());
    }

    /** @return for each i in {@code kept}, the shares addressed to it from senders in {@code kept}, ascending by sender */
    Map<Integer, List<EncryptedShare>> route(Set<Integer> kept) {
        Map<Integer, List<EncryptedShare>> out = new TreeMap<>();
        for (int i : kept) {
            out.put(i, new ArrayList<>());
        }
        for (int from : kept) {
            bundles.get(from).forEach((to, c) -> {
                if (kept.contains(to)) {
                    out.get(to).add(new EncryptedShare(from, to, c));
                }
            });
        }
        out.replaceAll((i, list) -> List.copyOf(list));
        return out;
    }
}
