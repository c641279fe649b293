package io.flock.core.codec;

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

class LowBitCodecTest {
    private static ModelParameters layer(float[] w, int rows) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {rows, w.length / rows}, w),
                new Tensor("b", new int[] {2}, new float[] {0.125f, -3f})));
    }

    private static float[] gaussian(int n, double std, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
        return w;
    }

    @Test
    void int4_nearest_roundsToSevenStepsPerSideOfEachRowsScale() {
        // row 0: max 0.7 -> scale 0.1; row 1: max 1.4 -> scale 0.2
        ModelParameters p = layer(new float[] {0.7f, -0.26f, 0.04f, 1.4f, 0.31f, -0.09f}, 2);

        ModelParameters d = Codecs.byName("int4").decode(Codecs.byName("int4").encode(p));

        assertThat(d.tensors().get(0).data()).containsExactly(new float[] {0.7f, -0.3f, 0f, 1.4f, 0.4f, -0.0f}, within(1e-6f));
        assertThat(d.tensors().get(1).data()).containsExactly(0.125f, -3f); // biases stay float32
    }

    @Test
    void everyWidth_oddLengthTensor_roundTripsWithinHalfAStep() {
        float[] w = gaussian(3 * 333, 0.05, 1);
        for (int bits = 2; bits <= 7; bits++) {
            ParameterCodec codec = Codecs.byName("int" + bits);
            float[] back = codec.decode(codec.encode(layer(w, 3))).tensors().get(0).data();
            for (int row = 0; row < 3; row++) {
                float max = 0;
                for (int j = row * 333; j < (row + 1) * 333; j++) {
                    max = Math.max(max, Math.abs(w[j]));
                }
                float halfStep = max / ((1 << (bits - 1)) - 1) / 2;
                for (int j = row * 333; j < (row + 1) * 333; j++) {
                    assertThat(back[j]).as("int%d value %d", bits, j).isCloseTo(w[j], within(halfStep * 1.0001f));
                }
            }
        }
    }

    @Test
    void int4Stochastic_isUnbiasedOverManyIndependentUpdates() {
        // the same small value in 400 different tensors: nearest rounding sends every copy to 0,
        // stochastic rounding keeps the mean
        float x = 0.03f; // 0.3 of a step (scale 0.1)
        double sum = 0;
        ParameterCodec codec = Codecs.byName("int4-stochastic");
        ParameterCodec nearest = Codecs.byName("int4");
        for (int k = 0; k < 400; k++) {
            float[] w = new float[64];
            Arrays.fill(w, x);
            w[0] = 0.7f;
            w[1] = k * 1e-6f; // a different tensor, so a different random stream
            sum += Arrays.stream(toDouble(codec.decode(codec.encode(layer(w, 1))).tensors().get(0).data())).skip(2).sum() / 62;
            assertThat(nearest.decode(nearest.encode(layer(w, 1))).tensors().get(0).data()[5]).isZero();
        }
        assertThat(sum / 400).isCloseTo(x, within(0.002));
    }

    @Test
    void stochastic_sameInput_givesSameBytes() {
        ModelParameters p = layer(gaussian(2 * 500, 0.01, 2), 2);
        ParameterCodec codec = Codecs.byName("int3-stochastic");

        assertThat(codec.encode(p)).isEqualTo(codec.encode(p));
    }

    @Test
    void int4_realisticLayer_isAtLeast7xSmallerThanFp32() {
        ModelParameters p = layer(gaussian(200 * 784, 0.05, 3), 200);

        byte[] int4 = Codecs.byName("int4").encode(p);

        assertThat((double) Codecs.FP32.encode(p).length / int4.length).isGreaterThan(7.0);
    }

    @Test
    void decode_badInput_failsWithCodecFormatException() {
        ParameterCodec codec = Codecs.byName("int4");
        byte[] good = codec.encode(layer(gaussian(2 * 10, 1, 4), 2));

        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, good.length - 3))).isInstanceOf(CodecFormatException.class);
        assertThatThrownBy(() -> codec.decode(new byte[] {9, 9, 9})).isInstanceOf(CodecFormatException.class);
        assertThatThrownBy(() -> Codecs.byName("int5").decode(good)).isInstanceOf(CodecFormatException.class)
                .hasMessageContaining("'int4'");
        // a code of 15 is outside -7..7 (0..14 stored): forge one in the packed body
        byte[] frame = ParameterFrame.write("int4", layer(new float[] {1, 1, 1, 1}, 2), (t, out) -> {
            if (t.shape().length < 2) {
                out.writeByte(0);
                out.write(Fp32Codec.FloatBytes.toBytes(t.data()));
                return;
            }
            out.writeByte(2);
            out.writeInt(2);
            out.writeFloat(1f);
            out.writeFloat(1f);
            out.write(new byte[] {(byte) 0xF7, 0x77});
        });
        assertThatThrownBy(() -> codec.decode(Entropy.huffman(frame))).isInstanceOf(CodecFormatException.class)
                .hasMessageContaining("code 15");
        // one value per byte from 5 bits on: a byte of 0x80 is code 128, not -128
        byte[] wide = ParameterFrame.write("int5", layer(new float[] {1, 1}, 1), (t, out) -> {
            if (t.shape().length < 2) {
                out.writeByte(0);
                out.write(Fp32Codec.FloatBytes.toBytes(t.data()));
                return;
            }
            out.writeByte(2);
            out.writeInt(1);
            out.writeFloat(1f);
            out.write(new byte[] {15, (byte) 0x80});
        });
        assertThatThrownBy(() -> Codecs.byName("int5").decode(Entropy.huffman(wide))).isInstanceOf(CodecFormatException.class)
                .hasMessageContaining("code 128");
    }

    @Test
    void byName_widthOutsideTwoToSeven_isUnknown() {
        assertThatThrownBy(() -> Codecs.byName("int1")).isInstanceOf(InvalidInputException.class).hasMessageContaining("int2..int7");
        assertThatThrownBy(() -> Codecs.byName("int9-stochastic")).isInstanceOf(InvalidInputException.class);
        assertThat(Codecs.byName("int6-stochastic").name()).isEqualTo("int6-stochastic");
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
