package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Symmetric int8 post-training quantisation, then entropy coding. Each tensor of rank >= 2 is quantised
 * with one scale per output channel (first dimension) or, with {@link Granularity#PER_TENSOR}, one
 * scale for the whole tensor: {@code q = round(x / scale)}, {@code scale = max|x| / 127}. Rank-1
 * tensors (biases, norms) are small and stay float32. The frame is then Huffman coded (a deflate
 * stream). Decoding returns {@code q * scale}.
 */
public final class Int8Codec implements ParameterCodec {
    /** Registered name. */
    public static final String NAME = "int8";
    private static final byte FLOAT32 = 0;
    private static final byte INT8 = 1;
    private static final int LEVELS = 127;

    /** How many values share one scale. */
    public enum Granularity { PER_CHANNEL, PER_TENSOR }

    private final Granularity granularity;

    /** @param granularity one scale per output channel, or per tensor */
    public Int8Codec(Granularity granularity) {
        this.granularity = granularity;
    }

    /** Per-channel scales, the more accurate default. */
    public Int8Codec() {
        this(Granularity.PER_CHANNEL);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] encode(ModelParameters parameters) {
        return Entropy.huffman(ParameterFrame.write(NAME, parameters, this::writeTensor));
    }

    private void writeTensor(Tensor t, DataOutputStream out) throws IOException {
        if (t.shape().length < 2) {
            out.writeByte(FLOAT32);
            out.write(Fp32Codec.FloatBytes.toBytes(t.data()));
            return;
        }
        int channels = granularity == Granularity.PER_CHANNEL ? t.shape()[0] : 1;
        float[] scales = ChannelQuantiser.scales(t.data(), channels, LEVELS);
        out.writeByte(INT8);
        ChannelQuantiser.writeScales(scales, out);
        out.write(ChannelQuantiser.quantise(t.data(), scales, LEVELS, 0, ChannelQuantiser.NEAREST));
    }

    @Override
    public ModelParameters decode(byte[] bytes, ModelParameters layout) {
        return ParameterFrame.read(NAME, Entropy.inflate(bytes, ParameterFrame.maxFrameBytes(layout)), Int8Codec::readTensor, layout);
    }

    private static float[] readTensor(String name, int[] shape, int count, DataInputStream in) throws IOException {
        byte kind = in.readByte();
        if (kind == FLOAT32) {
            return Fp32Codec.FloatBytes.toFloats(in.readNBytes(count * 4));
        }
        if (kind != INT8) {
            throw new CodecFormatException("tensor " + name + " has unknown encoding " + kind);
        }
        float[] scales = ChannelQuantiser.readScales(name, count, in);
        byte[] q = in.readNBytes(count);
        if (q.length != count) {
            throw new CodecFormatException("truncated int8 parameters in tensor " + name);
        }
        return ChannelQuantiser.dequantise(scales, count, j -> q[j]);
    }
}
