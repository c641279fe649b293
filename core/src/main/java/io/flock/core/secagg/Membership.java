package io.flock.core.secagg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Server-side rules on who stays in a round: pruning U1 and U2, and the stage-4 requests over U3. */
final class Membership {
    private Membership() {
    }

    /** @return {@code members} less, repeatedly, each one with fewer than {@code threshold} neighbours left in it */
    static Set<Integer> prune(Set<Integer> members, NeighbourGraph graph, int threshold) {
        Set<Integer> kept = new TreeSet<>(members);
        boolean changed = true;
        while (changed) {
            changed = kept.removeIf(i -> graph.neighbours(i).stream().filter(kept::contains).count() < threshold);
        }
        return kept;
    }

    /**
     * @param sharers   U2
     * @param survivors U3, a subset of U2
     * @return for each i in U3, its neighbours in U2 split by membership of U3
     * @throws SecAggAbortedException when a survivor, or a dropped participant with a neighbour in U3, has fewer than
     *                                threshold neighbours in U3 (its secret could not be rebuilt)
     */
    static Map<Integer, UnmaskRequest> requests(NeighbourGraph graph, Set<Integer> sharers, Set<Integer> survivors,
                                                int threshold) {
        Map<Integer, UnmaskRequest> requests = new TreeMap<>();
        for (int i : sharers) {
            List<Integer> alive = new ArrayList<>();
            List<Integer> lost = new ArrayList<>();
            for (int j : graph.neighbours(i)) {
                if (survivors.contains(j)) {
                    alive.add(j);
                } else if (sharers.contains(j)) {
                    lost.add(j);
                }
            }
            boolean survived = survivors.contains(i);
            if (alive.size() < threshold && (survived || !alive.isEmpty())) {
                throw new SecAggAbortedException("mask: participant " + i + (survived ? " (survivor)" : " (dropped)")
                        + " has " + alive.size() + " neighbours in U3, threshold " + threshold + "; "
                        + survivors.size() + " of " + sharers.size() + " sent vectors");
            }
            if (survived) {
                requests.put(i, new UnmaskRequest(alive, lost));
            }
        }
        return requests;
    }
}
