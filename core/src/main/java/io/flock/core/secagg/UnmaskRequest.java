package io.flock.core.secagg;

import java.util.List;

/**
 * Stage 4 question to one participant, over its neighbours that shared (U2): hand over your share of b_j for each
 * j in {@code survivors} (they sent a masked vector), and of s_sk_j for each j in {@code dropped} (they did not).
 * Both lists ascending, disjoint, copied and unmodifiable.
 *
 * @param survivors neighbours in U3
 * @param dropped   neighbours in U2 but not in U3
 */
public record UnmaskRequest(List<Integer> survivors, List<Integer> dropped) {
    /** Copies both lists; rejects null. */
    public UnmaskRequest {
        survivors = List.copyOf(survivors);
        dropped = List.copyOf(dropped);
    }
}
