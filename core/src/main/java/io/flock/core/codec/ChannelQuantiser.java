package io.flock.core.codec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.function.IntUnaryOperator;

/**
 * Symmetric quantisation with one scale per channel, shared by {@link Int8Codec} and
 * {@link LowBitCodec}. Channel {@code c} of {@code channels} holds the values
 * {@code [c * per, (c + 1) * per)}, {@code per = length / channels}; its scale is
 * {@code max|x| / levels} (1 for an all-zero channel) and a value's code is
 * {@code clamp(round(x / scale), -levels, levels) + offset}. On the wire the channel count comes
 * first, then one float scale per channel.
 */
final class ChannelQuantiser {
    /** How a scaled value becomes a whole level; called once per value, in index order. */
    interface Rounding {
        int round(float scaled);
    }

    /** Round to nearest, ties up ({@link Math#round(float)}). */
    static final Rounding NEAREST = Math::round;

    private ChannelQuantiser() {
    }

    /** @return the largest level of a symmetric {@code bits}-bit code, {@code 2^(bits-1) - 1} */
    static int levels(int bits) {
        return (1 << (bits - 1)) - 1;
    }

    /** @return one scale per channel: {@code max|x| / levels} over the channel, or 1 where it is all zero */
    static float[] scales(float[] x, int channels, int levels) {
        int per = x.length / channels;
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float max = 0f;
            for (int j = c * per; j < (c + 1) * per; j++) {
                max = Math.max(max, Math.abs(x[j]));
            }
            scales[c] = max == 0f ? 1f : max / levels;
        }
        return scales;
    }

    /** @return one code per value of {@code x}, each channel divided by its own scale */
    static byte[] quantise(float[] x, float[] scales, int levels, int offset, Rounding rounding) {
        int per = x.length / scales.length;
        byte[] q = new byte[x.length];
        for (int c = 0; c < scales.length; c++) {
            float inverse = 1f / scales[c];
            for (int j = c * per; j < (c + 1) * per; j++) {
                q[j] = (byte) (Math.max(-levels, Math.min(levels, rounding.round(x[j] * inverse))) + offset);
            }
        }
        return q;
    }

    /**
     * @param level the signed level of value {@code j} (its code less the offset); may throw
     *              {@link CodecFormatException} for a code out of range
     * @return {@code count} values, each its level times its channel's scale
     */
    static float[] dequantise(float[] scales, int count, IntUnaryOperator level) {
        int per = count / scales.length;
        float[] x = new float[count];
        for (int c = 0, j = 0; c < scales.length; c++) {
            float scale = scales[c];
            for (int end = j + per; j < end; j++) {
                x[j] = level.applyAsInt(j) * scale;
            }
        }
        return x;
    }

    /** Writes the channel count and the scales, as {@link #readScales} reads them. */
    static void writeScales(float[] scales, DataOutputStream out) throws IOException {
        out.writeInt(scales.length);
        for (float scale : scales) {
            out.writeFloat(scale);
        }
    }

    /**
     * Reads a channel count and one finite scale per channel.
     *
     * @throws CodecFormatException when the count does not divide {@code count} values or a scale is not finite
     */
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
