package io.flock.simulator.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CompressionRunTest {
    @Test
    void theCubicSchedule_risesFastThenSlowly_andEndsAtTheTarget() {
        assertThat(CompressionRun.sparsityAt(0.9, 1, 3)).isCloseTo(0.9 * (1 - 8.0 / 27), within(1e-4)); // 0.6333
        assertThat(CompressionRun.sparsityAt(0.9, 2, 3)).isCloseTo(0.9 * (1 - 1.0 / 27), within(1e-4)); // 0.8667
        assertThat(CompressionRun.sparsityAt(0.9, 3, 3)).isEqualTo(0.9);
        assertThat(CompressionRun.sparsityAt(0.5, 1, 1)).isEqualTo(0.5);
    }
}
