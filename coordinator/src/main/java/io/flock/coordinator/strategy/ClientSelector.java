package io.flock.coordinator.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Picks the devices of a round. Implementations are thread-safe. */
public interface ClientSelector {
    /** Uniform sampling without replacement (what user-level DP's amplification by sampling assumes). */
    ClientSelector UNIFORM = (round, available, count, random) -> {
        List<String> pool = new ArrayList<>(available);
        Collections.shuffle(pool, random);
        List<String> picked = new ArrayList<>(pool.subList(0, Math.min(count, pool.size())));
        picked.sort(null);
        return picked;
    };

    /**
     * @param round     round number, from 1
     * @param available online, registered devices, sorted
     * @param count     how many to pick, >= 1
     * @param random    seeded per round, so selection is reproducible
     * @return the chosen devices, sorted, at most {@code count}; empty when none are available
     */
    List<String> select(long round, List<String> available, int count, Random random);
}
