package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class Fp32CodecTest {
    private final ModelParameters p = new ModelParameters(List.of(
            new Tensor("layer.weight", new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, Float.MIN_VALUE, 1e30f}),
            new Tensor("layer.bias", new int[] {2}, new float[] {0.25f, -0.125f})));

    @Test
    void roundTrip_isExact() {
        ModelParameters back = Codecs.FP32.decode(Codecs.FP32.encode(p));

        p.requireSameLayout(back);
        assertThat(back.tensors().get(0).data()).containsExactly(p.tensors().get(0).data());
        assertThat(back.tensors().get(1).data()).containsExactly(0.25f, -0.125f);
    }

    @Test
    void encode_sizeIsHeaderPlusFourBytesPerValue() {
        byte[] bytes = Codecs.FP32.encode(p);
        // magic 4 + codec name (2+4) + count 4 + per tensor: name (2+len) + rank 1 + 4*rank + 4*values
        int expected = 4 + 6 + 4 + (2 + 12 + 1 + 8 + 24) + (2 + 10 + 1 + 4 + 8);
        assertThat(bytes).hasSize(expected);
    }

    @Test
    void decode_badMagicTruncatedOrHugeShape_fails() {
        byte[] good = Codecs.FP32.encode(p);
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        ByteBuffer huge = ByteBuffer.allocate(64).putInt(0x464C4B50);
        huge.putShort((short) 4).put("fp32".getBytes()).putInt(1).putShort((short) 1).put((byte) 'w').put((byte) 2)
                .putInt(1 << 20).putInt(1 << 20);

        assertThatThrownBy(() -> Codecs.FP32.decode(badMagic)).hasMessageContaining("bad magic");
        assertThatThrownBy(() -> Codecs.FP32.decode(java.util.Arrays.copyOf(good, good.length - 3))).isInstanceOf(CodecFormatException.class);
        assertThatThrownBy(() -> Codecs.FP32.decode(trailing)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Codecs.FP32.decode(huge.array())).hasMessageContaining("exceeds");
    }
}
