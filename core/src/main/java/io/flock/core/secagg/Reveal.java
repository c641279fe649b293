package io.flock.core.secagg;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Stage 4: the shares a participant hands the server. For each surviving neighbour j, the share of j's self-mask
 * seed b_j that j sent it; for each dropped neighbour j, the share of j's masking key s_sk_j. Never both for one j.
 * Maps are copied into sorted, unmodifiable maps; share bytes are copied out; equality compares contents.
 *
 * @param from           the revealing participant
 * @param selfMaskShares surviving neighbour index to its share of b (70 bytes)
 * @param keyShares      dropped neighbour index to its share of s_sk (70 bytes)
 */
public record Reveal(int from, Map<Integer, byte[]> selfMaskShares, Map<Integer, byte[]> keyShares) {
    /** Copies both maps; rejects null maps, keys or values. */
    public Reveal {
        selfMaskShares = copy(selfMaskShares, "selfMaskShares");
        keyShares = copy(keyShares, "keyShares");
    }

    /** @return an unmodifiable sorted view; each value is a copy */
    @Override
    public Map<Integer, byte[]> selfMaskShares() {
        return copy(selfMaskShares, "selfMaskShares");
    }

    /** @return an unmodifiable sorted view; each value is a copy */
    @Override
    public Map<Integer, byte[]> keyShares() {
        return copy(keyShares, "keyShares");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reveal r && from == r.from && same(selfMaskShares, r.selfMaskShares)
                && same(keyShares, r.keyShares);
    }

    @Override
    public int hashCode() {
        return 31 * from + selfMaskShares.keySet().hashCode() + 7 * keyShares.keySet().hashCode();
    }

    @Override
    public String toString() {
        return "Reveal[from=" + from + ", selfMask=" + selfMaskShares.keySet() + ", key=" + keyShares.keySet() + "]";
    }

    private static Map<Integer, byte[]> copy(Map<Integer, byte[]> in, String what) {
        Objects.requireNonNull(in, what);
        TreeMap<Integer, byte[]> out = new TreeMap<>();
        in.forEach((k, v) -> out.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what).clone()));
        return Collections.unmodifiableMap(out);
    }

    private static boolean same(Map<Integer, byte[]> a, Map<Integer, byte[]> b) {
        return a.keySet().equals(b.keySet()) && a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
    }
}
