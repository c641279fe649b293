package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Symmetric quantisation to 2..7 bits per value with one scale per output channel, then entropy
 * coding: {@code q = round(x / scale)} in {@code -L..L}, {@code L = 2^(bits-1) - 1},
 * {@code scale = max|x| / L}. Values of 4 bits or fewer are packed two to a byte before the Huffman
 * pass, so the coder sees pairs. Rank-1 tensors (biases) stay float32, as in {@link Int8Codec}.
 *
 * <p>With {@code stochastic} rounding a value rounds up with probability equal to its fraction
 * ({@code E[q * scale] = x}): the errors of many devices' updates cancel in their mean instead of
 * all rounding small deltas to zero. The random stream is seeded from the tensor's contents, so the
 * same input always gives the same bytes, and different devices' updates get independent noise.
 * Nearest rounding is the choice for model pushes, stochastic rounding for updates.
 */
public final class LowBitCodec implements ParameterCodec {
    private static final byte FLOAT32 = 0;
    private static final byte QUANTISED = 2;

    private final int bits;
    private final boolean stochastic;
    private final String name;

    /**
     * @param bits       2..7 bits per value
     * @param stochastic unbiased stochastic rounding instead of round-to-nearest
     * @throws IllegalArgumentException for bits outside 2..7
     */
    public LowBitCodec(int bits, boolean stochastic) {
        if (bits < 2 || bits > 7) {
            throw new IllegalArgumentException("bits must be 2..7, got " + bits);
        }
        this.bits = bits;
        this.stochastic = stochastic;
        this.name = "int" + bits + (stochastic ? "-stochastic" : "");
    }

    @Override
    public String name() {
        return name;
    }

    private int levels() {
        return ChannelQuantiser.levels(bits);
    }

    @Override
    public byte[] encode(ModelParameters parameters) {
        return Entropy.huffman(ParameterFrame.write(name, parameters, this::writeTensor));
    }

    private void writeTensor(Tensor t, DataOutputStream out) throws IOException {
        if (t.shape().length < 2) {
            out.writeByte(FLOAT32);
            out.write(Fp32Codec.FloatBytes.toBytes(t.data()));
            return;
        }
        float[] x = t.data();
        int levels = levels();
        float[] scales = ChannelQuantiser.scales(x, t.shape()[0], levels);
        ChannelQuantiser.Rounding rounding = ChannelQuantiser.NEAREST;
        if (stochastic) {
            SplittableRandom random = new SplittableRandom(Arrays.hashCode(x));
            rounding = v -> (int) Math.floor(v + random.nextFloat());
        }
        out.writeByte(QUANTISED);
        ChannelQuantiser.writeScales(scales, out);
        byte[] q = ChannelQuantiser.quantise(x, scales, levels, levels, rounding);
        out.write(bits <= 4 ? packPairs(q) : q);
    }

    private static byte[] packPairs(byte[] q) {
        byte[] packed = new byte[(q.length + 1) / 2];
        for (int j = 0; j < q.length; j++) {
            packed[j >> 1] |= (byte) ((j & 1) == 0 ? q[j] : q[j] << 4);
        }
        return packed;
    }

    @Override
    public ModelParameters decode(byte[] bytes, ModelParameters layout) {
        return ParameterFrame.read(name, Entropy.inflate(bytes, ParameterFrame.maxFrameBytes(layout)), this::readTensor, layout);
    }

    private float[] readTensor(String tensor, int[] shape, int count, DataInputStream in) throws IOException {
        byte kind = in.readByte();
        if (kind == FLOAT32) {
            return Fp32Codec.FloatBytes.toFloats(in.readNBytes(count * 4));
        }
        if (kind != QUANTISED) {
            throw new CodecFormatException("tensor " + tensor + " has unknown encoding " + kind);
        }
        float[] scales = ChannelQuantiser.readScales(tensor, count, in);
        int levels = levels();
        int stored = bits <= 4 ? (count + 1) / 2 : count;
        byte[] q = in.readNBytes(stored);
        if (q.length != stored) {
            throw new CodecFormatException("truncated " + name + " parameters in tensor " + tensor);
        }
        return ChannelQuantiser.dequantise(scales, count, j -> {
            int code = bits <= 4 ? (q[j >> 1] >> ((j & 1) * 4)) & 0xF : q[j] & 0xFF;
            if (code > 2 * levels) {
                throw new CodecFormatException("tensor " + tensor + " holds code " + code + " outside 0.." + 2 * levels);
            }
            return code - levels;
        });
    }
}
