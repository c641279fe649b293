package io.flock.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {
    private static final int N = 100_000;

    private static ModelParameters constant(float value) {
        float[] a = new float[N / 2];
        float[] b = new float[N / 2];
        Arrays.fill(a, value);
        Arrays.fill(b, value);
        return new ModelParameters(List.of(new Tensor("a", new int[] {N / 2}, a), new Tensor("b", new int[] {N / 2}, b)));
    }

    @Test
    void add_seeded_hasMeanZeroAndTheRequestedStdOverEveryCoordinate() {
        ModelParameters input = constant(1f);

        ModelParameters noisy = new GaussianNoise(new Random(42)).add(input, 2.0);

        double sum = 0;
        double sumSq = 0;
        for (Tensor t : noisy.tensors()) {
            for (float v : t.data()) {
                double d = v - 1.0;
                sum += d;
                sumSq += d * d;
            }
        }
        double mean = sum / N;
        double std = Math.sqrt(sumSq / N - mean * mean);
        assertThat(mean).isCloseTo(0.0, within(0.03));   // standard error 2 / sqrt(1e5) = 0.0063
        assertThat(std).isCloseTo(2.0, within(0.03));    // standard error about 2 / sqrt(2e5) = 0.0045
    }

    @Test
    void add_sameSeed_isReproducibleAndLeavesInputUntouched() {
        ModelParameters input = constant(1f);

        ModelParameters first = new GaussianNoise(new Random(7)).add(input, 0.5);
        ModelParameters second = new GaussianNoise(new Random(7)).add(input, 0.5);

        assertThat(first.tensors().get(1).data()).containsExactly(second.tensors().get(1).data());
        assertThat(first.tensors().get(0).data()[0]).isNotEqualTo(1f);
        assertThat(input.tensors().get(0).data()).containsOnly(1f);
    }

    @Test
    void add_stdZero_returnsAnEqualCopy() {
        ModelParameters input = new ModelParameters(List.of(new Tensor("w", new int[] {3}, new float[] {1, -2, 3})));

        ModelParameters out = new GaussianNoise(new Random(1)).add(input, 0.0);

        assertThat(out).isNotSameAs(input);
        assertThat(out.tensors().get(0).data()).containsExactly(1f, -2f, 3f);
        assertThat(out.tensors().get(0).shape()).containsExactly(3);
    }

    @Test
    void add_badStd_isRejectedNamingIt() {
        GaussianNoise noise = new GaussianNoise(new Random(1));
        ModelParameters input = constant(0f);

        assertThatThrownBy(() -> noise.add(input, -1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> noise.add(input, Double.NaN)).isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> noise.add(input, Double.POSITIVE_INFINITY)).hasMessageContaining("Infinity");
    }
}
