package io.flock.coordinator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.monitor.DeviceWindow;
import io.flock.core.stats.BinEdges;
import io.flock.core.stats.DriftSketch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gates fail on a difference beyond the threshold that sampling noise cannot explain, and decide only with enough data. */
class HealthGatesTest {
    private static final RolloutConfig.Gates GATES = new RolloutConfig.Gates(0.02, 0.1, 0.05, 1.5, 0.05, 50, 50);

    private static CohortHealth cohort(int devices, long answers, long offloaded, long feedback, long errors, double latencyMs) {
        CohortHealth h = new CohortHealth();
        BinEdges half = new BinEdges(new double[] {0.5});
        for (int d = 0; d < devices; d++) {
            long[] conf = new long[DriftSketch.CONFIDENCE_BINS];
            conf[8] = answers;
            long[] bins = {answers, 0};
            DriftSketch s = DriftSketch.of(List.of(half, half, half, half), 2, new long[][] {bins, bins, bins, bins}, new long[] {answers, 0},
                    conf, answers, 0.85 * answers, feedback, errors);
            h.add(new DeviceWindow("d" + d, 1, 0, answers, offloaded, answers - offloaded, 0, latencyMs, s));
        }
        return h;
    }

    private static GateResult gate(List<GateResult> gates, String name) {
        return gates.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aSmallDropOnFewLabels_passes_butTheSameDropOnManyFails() {
        // canary 0.78 against control 0.85: 7 points, over the 5-point threshold
        List<GateResult> few = HealthGates.judge(cohort(1, 100, 10, 100, 22, 2), cohort(1, 100, 10, 100, 15, 2), GATES);
        assertThat(gate(few, "feedback-accuracy").decided()).isTrue();
        assertThat(gate(few, "feedback-accuracy").passed()).as("2 points past the threshold is within the noise of 100 labels").isTrue();
        List<GateResult> many = HealthGates.judge(cohort(10, 1000, 100, 1000, 220, 2), cohort(10, 1000, 100, 1000, 150, 2), GATES);
        assertThat(gate(many, "feedback-accuracy").passed()).as("the same drop on 10,000 labels is real").isFalse();
    }

    @Test
    void aCanaryOffloadingFarMore_failsItsGate_andSlowerAnswersFailTheLatencyGate() {
        List<GateResult> gates = HealthGates.judge(cohort(5, 200, 120, 60, 9, 9.0), cohort(5, 200, 20, 60, 9, 2.0), GATES);
        assertThat(gate(gates, "offload-rate").passed()).isFalse();
        assertThat(gate(gates, "latency-ms").passed()).isFalse();
        assertThat(gate(gates, "error-rate").passed()).isTrue();
        assertThat(gate(gates, "mean-confidence").passed()).isTrue();
    }

    @Test
    void tooLittleData_decidesNothing() {
        List<GateResult> gates = HealthGates.judge(cohort(1, 10, 9, 5, 5, 50), cohort(1, 10, 0, 5, 0, 1), GATES);
        assertThat(gates).allSatisfy(g -> {
            assertThat(g.decided()).isFalse();
            assertThat(g.passed()).isTrue();
            assertThat(g.note()).startsWith("under");
        });
    }
}
