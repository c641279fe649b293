package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The lossless reference codec: raw little-endian float32 values, no compression. */
public final class Fp32Codec implements ParameterCodec {
    /** Registered name. */
    public static final String NAME = "fp32";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] encode(ModelParameters parameters) {
        return ParameterFrame.write(NAME, parameters, (t, out) -> out.write(FloatBytes.toBytes(t.data())));
    }

    @Override
    public ModelParameters decode(byte[] bytes, ModelParameters layout) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        return ParameterFrame.read(NAME, in, (name, shape, count, din) -> {
            if ((long) count * 4 > din.available()) {
                throw new CodecFormatException("tensor " + name + " needs " + (long) count * 4 + " bytes, "
                        + din.available() + " left");
            }
            byte[] raw = din.readNBytes(count * 4);
            return FloatBytes.toFloats(raw);
        }, layout);
    }

    /** Little-endian float32 conversions shared by the codecs. */
    static final class FloatBytes {
        private FloatBytes() {
        }

        static byte[] toBytes(float[] values) {
            ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            return buf.array();
        }

        static float[] toFloats(byte[] raw) {
            float[] out = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }
}
