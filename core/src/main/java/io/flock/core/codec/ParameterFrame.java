package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The byte layout shared by all codecs: magic, codec name, tensor table, and a body per tensor
 * written by the codec. Reading is bounded so hostile input cannot allocate without limit.
 */
final class ParameterFrame {
    static final int MAGIC = 0x464C4B50; // "FLKP"
    static final int MAX_TENSORS = 4096;
    static final int MAX_RANK = 8;
    /** Upper bound on decoded values: 256 M floats (1 GiB). */
    static final long MAX_VALUES = 1L << 28;

    /** Writes one tensor body. */
    interface BodyWriter {
        void write(Tensor tensor, DataOutputStream out) throws IOException;
    }

    /** Reads one tensor body of {@code count} values. */
    interface BodyReader {
        float[] read(String name, int[] shape, int count, DataInputStream in) throws IOException;
    }

    private ParameterFrame() {
    }

    static byte[] write(String codec, ModelParameters params, BodyWriter body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, params.totalSize() * 4 + 1024));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(codec);
            out.writeInt(params.tensors().size());
            for (Tensor t : params.tensors()) {
                out.writeUTF(t.name());
                out.writeByte(t.shape().length);
                for (int d : t.shape()) {
                    out.writeInt(d);
                }
                body.write(t, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param layout the tensors the frame must hold, or null for any within the absolute limits
     * @return the most bytes a frame of that layout can take, whatever the codec (4 bytes a value, plus scales
     *         of up to 4 bytes a value, plus headers)
     */
    static long maxFrameBytes(ModelParameters layout) {
        if (layout == null) {
            return MAX_VALUES * 4L + (1 << 20);
        }
        long bytes = 1024;
        for (Tensor t : layout.tensors()) {
            bytes += 8L * t.size() + 1024 + 3L * t.name().length();
        }
        return bytes;
    }

    static ModelParameters read(String codec, DataInputStream in, BodyReader body) {
        return read(codec, in, body, null);
    }

    /** @param layout the tensors the frame must hold, checked before each body is read; null = any */
    static ModelParameters read(String codec, DataInputStream in, BodyReader body, ModelParameters layout) {
        try {
            if (in.readInt() != MAGIC) {
                throw new CodecFormatException("not a Flock parameter frame (bad magic)");
            }
            String name = in.readUTF();
            if (!codec.equals(name)) {
                throw new CodecFormatException("frame was written by codec '" + name + "', not '" + codec + "'");
            }
            int n = in.readInt();
            if (n < 0 || n > MAX_TENSORS) {
                throw new CodecFormatException("tensor count " + n + " outside 0.." + MAX_TENSORS);
            }
            if (layout != null && n != layout.tensors().size()) {
                throw new CodecFormatException("frame holds " + n + " tensors, the model has " + layout.tensors().size());
            }
            List<Tensor> tensors = new ArrayList<>(n);
            Set<String> names = new HashSet<>();
            long total = 0;
            for (int i = 0; i < n; i++) {
                String tensorName = in.readUTF();
                if (tensorName.isEmpty() || !names.add(tensorName)) {
                    throw new CodecFormatException("tensor " + i + (tensorName.isEmpty() ? " has an empty name"
                            : " repeats the name '" + tensorName + "'"));
                }
                int rank = in.readUnsignedByte();
                if (rank > MAX_RANK) {
                    throw new CodecFormatException("tensor " + tensorName + " has rank " + rank + " > " + MAX_RANK);
                }
                int[] shape = new int[rank];
                long count = 1;
                for (int r = 0; r < rank; r++) {
                    shape[r] = in.readInt();
                    if (shape[r] <= 0) {
                        throw new CodecFormatException("tensor " + tensorName + " has dimension " + shape[r]);
                    }
                    count *= shape[r];
                    if (count > MAX_VALUES) {
                        throw new CodecFormatException("tensor " + tensorName + " exceeds " + MAX_VALUES + " values");
                    }
                }
                if (layout != null) {
                    Tensor want = layout.tensors().get(i);
                    if (!want.name().equals(tensorName) || !Arrays.equals(want.shape(), shape)) {
                        throw new CodecFormatException("tensor " + i + " is " + tensorName + Arrays.toString(shape) + ", the model has "
                                + want.name() + Arrays.toString(want.shape()));
                    }
                }
                total += count;
                if (total > MAX_VALUES) {
                    throw new CodecFormatException("parameters exceed " + MAX_VALUES + " values");
                }
                float[] values = body.read(tensorName, shape, (int) count, in);
                if (values.length != count) {
                    throw new CodecFormatException("truncated " + codec + " parameters: tensor " + tensorName + " holds " + values.length
                            + " of its " + count + " values");
                }
                tensors.add(new Tensor(tensorName, shape, values));
            }
            if (in.read() != -1) {
                throw new CodecFormatException("trailing bytes after " + n + " tensors");
            }
            return new ModelParameters(tensors);
        } catch (EOFException e) {
            throw new CodecFormatException("truncated " + codec + " parameters");
        } catch (IOException e) {
            throw new CodecFormatException("unreadable " + codec + " parameters: " + e.getMessage());
        }
    }
}
