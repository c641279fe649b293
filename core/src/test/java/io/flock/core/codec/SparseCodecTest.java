package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.compress.Pruning;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseCodecTest {
    private static ModelParameters layer(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.05f;
        }
        return new ModelParameters(List.of(new Tensor("w", new int[] {rows, cols}, w), new Tensor("b", new int[] {rows}, new float[rows])));
    }

    @Test
    void zerosStayExactlyZero_keptValuesWithinHalfAStep() {
        ModelParameters pruned = Pruning.prune(layer(32, 64, 3), 0.75, Pruning.Scope.GLOBAL);
        ModelParameters back = Codecs.byName("sparse-int8").decode(Codecs.byName("sparse-int8").encode(pruned));
        float[] x = pruned.tensors().get(0).data();
        float[] y = back.tensors().get(0).data();
        for (int row = 0; row < 32; row++) {
            float max = 0;
            for (int j = row * 64; j < (row + 1) * 64; j++) {
                max = Math.max(max, Math.abs(x[j]));
            }
            for (int j = row * 64; j < (row + 1) * 64; j++) {
                if (x[j] == 0f) {
                    assertThat(y[j]).isZero();
                } else {
                    assertThat(Math.abs(y[j] - x[j])).isLessThanOrEqualTo(max / 127 / 2 + 1e-7f);
                }
            }
        }
        assertThat(Pruning.sparsity(back)).isEqualTo(0.75);
    }

    @Test
    void ninetyPercentSparsity_makesTheArtifactOverFiveTimesSmallerThanDenseInt8_andOverTwentyTimesThanFp32() {
        ModelParameters dense = layer(200, 784, 5);
        ModelParameters pruned = Pruning.prune(dense, 0.9, Pruning.Scope.GLOBAL);
        int int8 = Codecs.INT8.encode(dense).length;
        int sparse = Codecs.byName("sparse-int8").encode(pruned).length;
        int fp32 = Codecs.FP32.encode(dense).length;
        // dense int8 entropy-codes Gaussian weights to ~6.2 bits; sparse: 10 % of the values at ~7 bits plus a bitmap
        // that cannot go below 0.47 bits a position (the entropy of p = 0.1), so ~5.3x is close to the bound
        assertThat((double) int8 / sparse).as("int8 %d B, sparse-int8 %d B", int8, sparse).isGreaterThan(5.0);
        assertThat((double) fp32 / sparse).as("against fp32").isGreaterThan(22);
    }

    @Test
    void aFrameMarkingMorePositionsThanItsValues_isRefused() {
        ModelParameters p = Pruning.prune(layer(4, 4, 1), 0.5, Pruning.Scope.GLOBAL);
        byte[] frame = ParameterFrame.write("sparse-int8", p, (t, out) -> {
            if (t.shape().length < 2) {
                out.writeByte(0);
                out.write(new byte[t.size() * 4]);
                return;
            }
            out.writeByte(3);
            out.writeInt(2); // claims 2 kept values
            out.write(new byte[] {(byte) 0xFF, 0}); // but marks 8 positions
            ChannelQuantiser.writeScales(new float[] {1f}, out);
            out.write(new byte[] {127, 127});
        });
        assertThatThrownBy(() -> Codecs.byName("sparse-int8").decode(Entropy.deflate(frame)))
                .isInstanceOf(CodecFormatException.class).hasMessageContaining("more than its 2 kept values");
    }

    @Test
    void aClaimOfATrillionParameters_isRefusedBeforeAllocating() throws Exception {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(raw)) {
            out.writeInt(ParameterFrame.MAGIC);
            out.writeUTF("sparse-int8");
            out.writeInt(1);
            out.writeUTF("w");
            out.writeByte(2);
            out.writeInt(1_000_000);
            out.writeInt(1_000_000);
        }
        assertThatThrownBy(() -> Codecs.byName("sparse-int8").decode(Entropy.deflate(raw.toByteArray())))
                .isInstanceOf(CodecFormatException.class).hasMessageContaining("exceeds");
    }
}
