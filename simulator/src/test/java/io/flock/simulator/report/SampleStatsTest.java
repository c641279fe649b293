package io.flock.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleStatsTest {
    @Test
    void oddEvenAndEmpty() {
        double[] odd = {0.5, 0.3, 0.9};
        assertThat(SampleStats.of(odd)).isEqualTo(new SampleStats(0.5, 0.3, 0.9));
        assertThat(odd).containsExactly(0.5, 0.3, 0.9); // input left as it was
        assertThat(SampleStats.of(new double[] {4, 1, 3, 2})).isEqualTo(new SampleStats(2.5, 1, 4));
        assertThat(SampleStats.of(new double[0]).median()).isNaN();
    }
}
