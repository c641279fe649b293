package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * IEEE 754 half precision (binary16) for every tensor of rank >= 2, round to nearest even; rank-1 tensors
 * (biases) stay float32 as in the int codecs. No entropy stage: half-precision bits have little redundancy.
 * Values beyond the half range (|x| > 65504) become infinities, which the decoder refuses; weights of a trained
 * model are far inside it. Hand-written because Java 17 has no {@code Float.floatToFloat16} (Java 20 adds it).
 */
public final class Fp16Codec implements ParameterCodec {
    /** Registered name. */
    public static final String NAME = "fp16";
    private static final byte FLOAT32 = 0;
    private static final byte FLOAT16 = 2;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] encode(ModelParameters parameters) {
        return ParameterFrame.write(NAME, parameters, Fp16Codec::writeTensor);
    }

    private static void writeTensor(Tensor t, DataOutputStream out) throws IOException {
        if (t.shape().length < 2) {
            out.writeByte(FLOAT32);
            out.write(Fp32Codec.FloatBytes.toBytes(t.data()));
            return;
        }
        out.writeByte(FLOAT16);
        byte[] half = new byte[t.data().length * 2];
        for (int i = 0; i < t.data().length; i++) {
            short h = toHalf(t.data()[i]);
            half[2 * i] = (byte) h;
            half[2 * i + 1] = (byte) (h >>> 8);
        }
        out.write(half);
    }

    @Override
    public ModelParameters decode(byte[] bytes, ModelParameters layout) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        return ParameterFrame.read(NAME, in, (name, shape, count, din) -> {
            byte kind = din.readByte();
            int width = kind == FLOAT32 ? 4 : kind == FLOAT16 ? 2 : -1;
            if (width < 0) {
                throw new CodecFormatException("tensor " + name + " has unknown encoding " + kind);
            }
            if (kind == FLOAT32 && shape.length >= 2) {
                throw new CodecFormatException("tensor " + name + " of rank " + shape.length + " is stored as float32; fp16 stores tensors"
                        + " of rank >= 2 in half precision");
            }
            if ((long) count * width > din.available()) {
                throw new CodecFormatException("tensor " + name + " needs " + (long) count * width + " bytes, " + din.available() + " left");
            }
            byte[] raw = din.readNBytes(count * width);
            if (kind == FLOAT32) {
                return Fp32Codec.FloatBytes.toFloats(raw);
            }
            float[] x = new float[count];
            for (int i = 0; i < count; i++) {
                x[i] = toFloat((short) ((raw[2 * i] & 0xFF) | (raw[2 * i + 1] << 8)));
                if (!Float.isFinite(x[i])) {
                    throw new CodecFormatException("tensor " + name + " holds a non-finite half value at " + i);
                }
            }
            return x;
        }, layout);
    }

    /** @return the binary16 bits nearest to {@code f} (ties to even); NaN stays NaN, overflow becomes infinity */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000; // the implicit leading 1
            int shift = 14 - e;
            int half = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, up to infinity: both are correct rounding
        }
        return (short) (sign | half);
    }

    /** @return the float value of binary16 bits */
    static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
