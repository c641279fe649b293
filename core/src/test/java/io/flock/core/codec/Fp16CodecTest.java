package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Fp16CodecTest {
    @Test
    void knownValues_convertExactly() {
        assertThat(Fp16Codec.toHalf(1f)).isEqualTo((short) 0x3C00);
        assertThat(Fp16Codec.toHalf(-2f)).isEqualTo((short) 0xC000);
        assertThat(Fp16Codec.toHalf(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Fp16Codec.toHalf(0x1p-24f)).as("the smallest subnormal").isEqualTo((short) 0x0001);
        assertThat(Fp16Codec.toHalf(1f + 0x1p-11f)).as("a tie rounds to even (down)").isEqualTo((short) 0x3C00);
        assertThat(Fp16Codec.toHalf(1f + 3 * 0x1p-11f)).as("a tie rounds to even (up)").isEqualTo((short) 0x3C02);
        assertThat(Fp16Codec.toHalf(1e6f)).as("overflow").isEqualTo((short) 0x7C00);
        assertThat(Fp16Codec.toFloat((short) 0x3555)).isEqualTo(0.33325195f);
        for (int h = 0; h < 0x7C00; h++) { // every finite positive half survives the float round trip
            assertThat(Fp16Codec.toHalf(Fp16Codec.toFloat((short) h))).isEqualTo((short) h);
        }
    }

    @Test
    void weights_roundTripWithinHalfAHalfPrecisionUlp_biasesExactly_atHalfTheBytes() {
        Random r = new Random(1);
        float[] w = new float[64 * 32];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.1f;
        }
        float[] b = {0.123456789f, -3f};
        ModelParameters p = new ModelParameters(List.of(new Tensor("w", new int[] {64, 32}, w), new Tensor("b", new int[] {2}, b)));

        byte[] bytes = Codecs.FP16.encode(p);
        ModelParameters back = Codecs.byName("fp16").decode(bytes);

        for (int i = 0; i < w.length; i++) {
            // half an ulp of binary16: 2^-11 relative for normal halves, 2^-25 absolute below 2^-14 (subnormal)
            float bound = Math.max(Math.abs(w[i]) * 0x1p-11f, 0x1p-25f);
            assertThat(Math.abs(back.tensors().get(0).data()[i] - w[i])).isLessThanOrEqualTo(bound);
        }
        assertThat(back.tensors().get(1).data()).containsExactly(b);
        assertThat(bytes.length).isLessThan(Codecs.FP32.encode(p).length * 52 / 100);
    }

    @Test
    void aTruncatedFrame_isRefused() {
        ModelParameters p = new ModelParameters(List.of(new Tensor("w", new int[] {4, 4}, new float[16])));
        byte[] bytes = Codecs.FP16.encode(p);
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> Codecs.FP16.decode(cut)).isInstanceOf(CodecFormatException.class);
    }

    /** Fp16CodecFuzzTest: a 2x1 weight stored as float32 (1.36e7, past the half range) decoded, and its re-encoding did not. */
    @Test
    void decode_weightStoredAsFloat32_isRefused() {
        byte[] frame = java.util.HexFormat.of().parseHex("464c4b50" + "000466703136" + "00000001" + "000178" + "02" + "00000002" + "00000001"
                + "00" + "0c00504b" + "4c463400");

        assertThatThrownBy(() -> Codecs.FP16.decode(frame)).isInstanceOf(CodecFormatException.class)
                .hasMessageContaining("tensor x of rank 2 is stored as float32");
    }
}
