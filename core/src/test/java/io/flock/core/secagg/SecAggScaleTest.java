package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Larger in-memory rounds; clients run in parallel against one server. Times are printed, never asserted. */
class SecAggScaleTest {
    private static Set<Integer> leavers(int n, int count, long seed) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        Collections.shuffle(all, new Random(seed));
        return new TreeSet<>(all.subList(0, count));
    }

    private static int[] run(RoundDriver round, Set<Integer> noVector, String label) {
        round.clients.values().parallelStream().forEach(c -> round.server.advertise(c.advertise()));
        round.advertised = round.server.closeAdvertise();
        round.advertised.entrySet().parallelStream()
                .forEach(e -> round.server.share(e.getKey(), round.clients.get(e.getKey()).share(e.getValue())));
        round.shared = round.server.closeShare();
        Map<Integer, Long> maskNanos = new ConcurrentHashMap<>();
        long maskStart = System.nanoTime();
        round.shared.entrySet().parallelStream().filter(e -> !noVector.contains(e.getKey())).forEach(e -> {
            long start = System.nanoTime();
            int[] v = round.clients.get(e.getKey()).mask(e.getValue(), round.inputs[e.getKey()]);
            maskNanos.put(e.getKey(), System.nanoTime() - start);
            round.server.masked(e.getKey(), v);
        });
        long maskWall = System.nanoTime() - maskStart;
        round.requests = round.server.closeMask();
        round.requests.entrySet().parallelStream().forEach(e -> round.server.reveal(
                round.clients.get(e.getKey()).unmask(e.getValue().survivors(), e.getValue().dropped())));
        long unmaskStart = System.nanoTime();
        int[] sum = round.server.closeUnmask();
        long unmaskNanos = System.nanoTime() - unmaskStart;
        System.out.printf("%s: client mask %.1f ms mean per client (%d clients, %.0f ms wall on 2 threads), "
                        + "server closeUnmask %.0f ms%n", label,
                maskNanos.values().stream().mapToLong(Long::longValue).average().orElse(0) / 1e6, maskNanos.size(),
                maskWall / 1e6, unmaskNanos / 1e6);
        return sum;
    }

    @Test
    void closeUnmask_hundredParticipantsThirtyLeaveAfterSharing_exactSumOfTheSeventy() {
        int n = 100;
        int k = SecAggParams.defaultNeighbours(n);
        SecAggParams params = RoundDriver.params("scale/1", n, k, SecAggParams.defaultThreshold(k), 200_000);
        RoundDriver round = new RoundDriver(params, RoundDriver.randomInputs(n, params.length(), 42));
        Set<Integer> leave = leavers(n, 30, 7);

        int[] sum = run(round, leave, "n=100 k=" + k + " L=200000, 30 leave after sharing");

        Set<Integer> stayed = new TreeSet<>(round.all());
        stayed.removeAll(leave);
        assertThat(round.server.survivors()).isEqualTo(stayed);
        assertThat(sum).isEqualTo(round.sumOf(stayed));
    }

    @Test
    void closeUnmask_sparseGraphOfHundredThirtyLeave_exactSumOfTheSeventy() {
        int n = 100;
        SecAggParams params = RoundDriver.params("scale/2", n, 32, 11, 1000);
        RoundDriver round = new RoundDriver(params, RoundDriver.randomInputs(n, params.length(), 43));
        Set<Integer> leave = leavers(n, 30, 8);

        int[] sum = run(round, leave, "n=100 k=32 L=1000, 30 leave after sharing");

        Set<Integer> stayed = new TreeSet<>(round.all());
        stayed.removeAll(leave);
        assertThat(sum).isEqualTo(round.sumOf(stayed));
    }
}
