package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RingQuantizerTest {
    @Test
    void quantize_clampsAndRounds_withAHandCheckedScale() {
        RingQuantizer q = new RingQuantizer(1.0, 1000);   // scale = floor(2147483647 / 1000) = 2147483

        assertThat(q.scale()).isEqualTo(2_147_483.0);
        assertThat(q.quantize(new float[] {0.5f, -2f, 3f, 0f})).containsExactly(1_073_742, -2_147_483, 2_147_483, 0);
    }

    @Test
    void dequantize_sumOfAllParticipantsAtTheLimit_isExactWithoutOverflow() {
        RingQuantizer q = new RingQuantizer(0.7, 3);
        int[] sum = new int[2];
        for (int p = 0; p < 3; p++) {
            int[] v = q.quantize(new float[] {0.7f, -0.7f});
            for (int i = 0; i < 2; i++) {
                sum[i] += v[i];
            }
        }

        double[] back = q.dequantize(sum);

        assertThat(sum[0]).isPositive();
        assertThat(sum[1]).isNegative();
        assertThat(back[0]).isCloseTo(2.1, Offset.offset(1e-6));
        assertThat(back[1]).isCloseTo(-2.1, Offset.offset(1e-6));
    }

    @Test
    void quantizeWeight_fullWeightFromEveryone_sumsToParticipants() {
        RingQuantizer q = new RingQuantizer(1.0, 7);
        int sum = 0;
        for (int p = 0; p < 7; p++) {
            sum += q.quantizeWeight(1.0);
        }

        assertThat(sum).isPositive();
        assertThat(q.dequantizeWeight(sum)).isEqualTo(7.0);
        assertThat(q.dequantizeWeight(q.quantizeWeight(0.25))).isCloseTo(0.25, Offset.offset(1e-8));
    }

    @Test
    void quantize_badInput_refused() {
        RingQuantizer q = new RingQuantizer(1.0, 2);

        assertThatThrownBy(() -> q.quantize(new float[] {0, Float.NaN})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("index 1");
        assertThatThrownBy(() -> q.quantizeWeight(0)).hasMessageContaining("weight 0.0");
        assertThatThrownBy(() -> new RingQuantizer(Double.NaN, 2)).hasMessageContaining("range NaN");
        assertThatThrownBy(() -> new RingQuantizer(3e9, 1)).hasMessageContaining("exceeds 2^31 - 1");
    }
}
