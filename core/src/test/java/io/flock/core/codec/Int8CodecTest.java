package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8CodecTest {
    private static ModelParameters params(float[] w, float[] b) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {2, 2}, w), new Tensor("b", new int[] {2}, b)));
    }

    @Test
    void decode_perChannel_usesOneScalePerRow() {
        // row 0: max |x| = 1.0 -> scale 1/127; row 1: max |x| = 0.5 -> scale 0.5/127
        ModelParameters p = params(new float[] {1.0f, -0.5f, 0.5f, 0.25f}, new float[] {0.1f, -0.2f});

        ModelParameters d = Codecs.INT8.decode(Codecs.INT8.encode(p));

        float[] w = d.tensors().get(0).data();
        assertThat(w[0]).isCloseTo(1.0f, within(1e-6f));                 // 127 * (1/127)
        assertThat(w[1]).isCloseTo(-63f / 127f, within(1e-6f));          // Math.round(-63.5) = -63 (half up)
        assertThat(w[2]).isCloseTo(0.5f, within(1e-6f));                 // 127 * (0.5/127)
        assertThat(w[3]).isCloseTo(64f * 0.5f / 127f, within(1e-6f));    // round(63.5) = 64
        assertThat(d.tensors().get(1).data()).containsExactly(0.1f, -0.2f); // rank-1 stays float32
    }

    @Test
    void decode_perTensor_sharesOneScale() {
        ModelParameters p = params(new float[] {1.0f, -0.5f, 0.5f, 0.25f}, new float[] {0f, 0f});

        ParameterCodec codec = Codecs.byName("int8-per-tensor");
        ModelParameters d = codec.decode(codec.encode(p));

        // one scale 1/127: 0.25 * 127 = 31.75 -> 32
        assertThat(d.tensors().get(0).data()[3]).isCloseTo(32f / 127f, within(1e-6f));
    }

    @Test
    void encode_realisticLayer_isAtLeast3_5xSmallerThanFp32AndAccurate() {
        Random r = new Random(0);
        float[] w = new float[200 * 784];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        ModelParameters p = new ModelParameters(List.of(new Tensor("w", new int[] {200, 784}, w)));

        byte[] int8 = Codecs.INT8.encode(p);
        byte[] fp32 = Codecs.FP32.encode(p);
        float[] back = Codecs.INT8.decode(int8).tensors().get(0).data();

        assertThat((double) fp32.length / int8.length).isGreaterThan(3.5);
        double maxErr = 0;
        for (int i = 0; i < w.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(w[i] - back[i]));
        }
        assertThat(maxErr).isLessThan(0.3 / 127 * 1.01); // half a step of the largest row scale (|x| < ~0.3)
    }

    @Test
    void decode_truncatedOrGarbage_failsWithCodecFormatException() {
        byte[] good = Codecs.INT8.encode(params(new float[] {1, 2, 3, 4}, new float[] {1, 2}));

        assertThatThrownBy(() -> Codecs.INT8.decode(Arrays.copyOf(good, good.length / 2)))
                .isInstanceOf(CodecFormatException.class);
        assertThatThrownBy(() -> Codecs.INT8.decode(new byte[] {1, 2, 3})).isInstanceOf(CodecFormatException.class);
        assertThatThrownBy(() -> Codecs.INT8.decode(Codecs.FP32.encode(params(new float[] {1, 2, 3, 4}, new float[] {1, 2}))))
                .isInstanceOf(CodecFormatException.class);
    }

    @Test
    void byName_unknownCodec_listsKnownNames() {
        assertThatThrownBy(() -> Codecs.byName("zip")).hasMessageContaining("unknown codec 'zip'").hasMessageContaining("int8");
    }
}
