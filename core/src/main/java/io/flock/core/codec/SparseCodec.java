package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * For pruned models: each tensor of rank >= 2 is a bitmap of its non-zero positions and only those values,
 * quantised to {@code bits} bits with one scale per output channel (as {@link Int8Codec}); rank-1 tensors stay
 * float32; the frame is then deflated (LZ77 + Huffman, which squeezes the bitmap's runs as well as the codes).
 * A tensor with 90 % zeros costs about 1 bit a position for the bitmap before deflate plus {@code bits} for each
 * kept value, so the artifact shrinks with the sparsity. Lossless for the zeros: a pruned weight decodes as 0.
 * Names: {@code sparse-int2} .. {@code sparse-int8}.
 */
public final class SparseCodec implements ParameterCodec {
    /** Name prefix; the bit width follows. */
    public static final String PREFIX = "sparse-int";
    private static final byte FLOAT32 = 0;
    private static final byte SPARSE = 3;
    private final int bits;
    private final String name;

    /** @param bits bits per kept value, 2..8 */
    public SparseCodec(int bits) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("sparse codec bits must be 2..8, got " + bits);
        }
        this.bits = bits;
        this.name = PREFIX + bits;
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
        return Entropy.deflate(ParameterFrame.write(name, parameters, this::writeTensor));
    }

    private void writeTensor(Tensor t, DataOutputStream out) throws IOException {
        float[] x = t.data();
        if (t.shape().length < 2) {
            out.writeByte(FLOAT32);
            out.write(Fp32Codec.FloatBytes.toBytes(x));
            return;
        }
        int levels = levels();
        float[] scales = ChannelQuantiser.scales(x, t.shape()[0], levels);
        byte[] codes = ChannelQuantiser.quantise(x, scales, levels, levels, ChannelQuantiser.NEAREST);
        byte[] bitmap = new byte[(x.length + 7) / 8];
        int kept = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0f) {
                bitmap[i >>> 3] |= (byte) (1 << (i & 7));
                kept++;
            }
        }
        byte[] values = new byte[kept];
        for (int i = 0, k = 0; i < x.length; i++) {
            if (x[i] != 0f) {
                values[k++] = codes[i];
            }
        }
        out.writeByte(SPARSE);
        out.writeInt(kept);
        out.write(bitmap);
        ChannelQuantiser.writeScales(scales, out);
        out.write(values);
    }

    @Override
    public ModelParameters decode(byte[] bytes, ModelParameters layout) {
        return ParameterFrame.read(name, Entropy.inflate(bytes, ParameterFrame.maxFrameBytes(layout)), this::readTensor, layout);
    }

    private float[] readTensor(String tensor, int[] shape, int count, DataInputStream in) throws IOException {
        byte kind = in.readByte();
        if (kind == FLOAT32) {
            if ((long) count * 4 > in.available()) {
                throw new CodecFormatException("truncated float32 tensor " + tensor);
            }
            return Fp32Codec.FloatBytes.toFloats(in.readNBytes(count * 4));
        }
        if (kind != SPARSE) {
            throw new CodecFormatException("tensor " + tensor + " has unknown encoding " + kind);
        }
        int kept = in.readInt();
        if (kept < 0 || kept > count) {
            throw new CodecFormatException("tensor " + tensor + " claims " + kept + " kept values of " + count);
        }
        byte[] bitmap = in.readNBytes((count + 7) / 8);
        if (bitmap.length != (count + 7) / 8) {
            throw new CodecFormatException("truncated bitmap in tensor " + tensor);
        }
        float[] scales = ChannelQuantiser.readScales(tensor, count, in);
        byte[] values = in.readNBytes(kept);
        if (values.length != kept) {
            throw new CodecFormatException("truncated values in tensor " + tensor);
        }
        int levels = levels();
        int per = count / scales.length;
        float[] x = new float[count];
        int k = 0;
        for (int i = 0; i < count; i++) {
            if ((bitmap[i >>> 3] & (1 << (i & 7))) != 0) {
                if (k == kept) {
                    throw new CodecFormatException("tensor " + tensor + " marks more than its " + kept + " kept values");
                }
                int code = values[k++] & 0xFF;
                if (code > 2 * levels) {
                    throw new CodecFormatException("tensor " + tensor + " holds code " + code + " outside 0.." + 2 * levels);
                }
                x[i] = (code - levels) * scales[i / per];
            }
        }
        if (k != kept) {
            throw new CodecFormatException("tensor " + tensor + " marks " + k + " positions for " + kept + " kept values");
        }
        return x;
    }
}
