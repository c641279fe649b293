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
        int per = t.size() / channels;
        float[] x = t.data();
        byte[] q = new byte[x.length];
        out.writeByte(INT8);
        out.writeInt(channels);
        for (int c = 0; c < channels; c++) {
            float max = 0f;
            for (int j = c * per; j < (c + 1) * per; j++) {
                max = Math.max(max, Math.abs(x[j]));
            }
            float scale = max == 0f ? 1f : max / 127f;
            float inverse = 1f / scale;
            out.writeFloat(scale);
            for (int j = c * per; j < (c + 1) * per; j++) {
                q[j] = (byte) Math.max(-127, Math.min(127, Math.round(x[j] * inverse)));
            }
        }
        out.write(q);
    }

    @Override
    public ModelParameters decode(byte[] bytes) {
        return ParameterFrame.read(NAME, Entropy.inflate(bytes), Int8Codec::readTensor);
    }

    private static float[] readTensor(String name, int[] shape, int count, DataInputStream in) throws IOException {
        byte kind = in.readByte();
        if (kind == FLOAT32) {
            return Fp32Codec.FloatBytes.toFloats(in.readNBytes(count * 4));
        }
        if (kind != INT8) {
            throw new CodecFormatException("tensor " + name + " has unknown encoding " + kind);
        }
        float[] scales = readScales(name, count, in);
        int channels = scales.length;
        byte[] q = in.readNBytes(count);
        if (q.length != count) {
            throw new CodecFormatException("truncated int8 parameters in tensor " + name);
        }
        int per = count / channels;
        float[] x = new float[count];
        for (int c = 0, j = 0; c < channels; c++) {
            float scale = scales[c];
            for (int end = j + per; j < end; j++) {
                x[j] = q[j] * scale;
            }
        }
        return x;
    }

    /** Reads a channel count and one finite scale per channel that divides {@code count}. */
    static float[] readScales(String name, int count, DataInputStream in) throws IOException {
        int channels = in.readInt();
        if (channels <= 0 || count % channels != 0) {
            throw new CodecFormatException("tensor " + name + " has " + channels + " channels for " + count + " values");
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = in.readFloat();
            if (!Float.isFinite(scales[c])) {
                throw new CodecFormatException("tensor " + name + " has non-finite scale " + scales[c]);
            }
        }
        return scales;
    }
}
