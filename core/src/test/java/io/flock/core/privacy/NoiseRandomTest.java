package io.flock.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NoiseRandomTest {
    @Test
    void nextGaussian_manySamples_standardNormal() {
        NoiseRandom random = new NoiseRandom();
        int n = 200_000;
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double g = random.nextGaussian();
            sum += g;
            squares += g * g;
        }
        double mean = sum / n;
        assertThat(mean).isBetween(-0.01, 0.01);
        assertThat(squares / n - mean * mean).isBetween(0.98, 1.02);
    }

    @Test
    void setSeed_sameSeedTwice_streamsDiffer() {
        NoiseRandom a = new NoiseRandom();
        NoiseRandom b = new NoiseRandom();
        a.setSeed(42);
        b.setSeed(42);
        assertThat(a.nextLong()).isNotEqualTo(b.nextLong());
    }
}
