package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class GaussianUpdateTest {
    private static ModelParameters zeros(int n) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {n}, new float[n])));
    }

    @Test
    void update_replacesTheDeltaByNoiseOfTheGivenSigma() {
        ModelParameters delta = ScaledUpdateTest.delta();
        ModelParameters small = new GaussianUpdate(2.0, 7).update(delta, 1);
        float[] big = new GaussianUpdate(2.0, 7).update(zeros(20_000), 1).tensors().get(0).data();

        assertThat(small.tensors()).hasSize(2);
        assertThat(small.tensors().get(0).shape()).containsExactly(2, 2);
        assertThat(small.tensors().get(0).data()).as("nothing of the trained delta is left").doesNotContain(1f, -2f, 0.5f);
        double mean = 0;
        for (float v : big) {
            mean += v;
        }
        mean /= big.length;
        double var = 0;
        for (float v : big) {
            var += (v - mean) * (v - mean);
        }
        // 20,000 draws: the mean's standard error is 2 / sqrt(20,000) = 0.014, the std's about 0.01
        assertThat(mean).isCloseTo(0, Offset.offset(0.06));
        assertThat(Math.sqrt(var / big.length)).isCloseTo(2.0, Offset.offset(0.06));
    }

    @Test
    void update_sameSeedAndRound_sameNoise_anotherRoundOrDevice_other() {
        float[] a = new GaussianUpdate(1.0, 3).update(zeros(8), 5).tensors().get(0).data();
        float[] again = new GaussianUpdate(1.0, 3).update(zeros(8), 5).tensors().get(0).data();
        float[] nextRound = new GaussianUpdate(1.0, 3).update(zeros(8), 6).tensors().get(0).data();
        float[] otherDevice = new GaussianUpdate(1.0, 4).update(zeros(8), 5).tensors().get(0).data();

        assertThat(again).containsExactly(a);
        assertThat(nextRound).isNotEqualTo(a);
        assertThat(otherDevice).isNotEqualTo(a);
    }
}
