package io.flock.core.data;

import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes IDX files (the MNIST format): big-endian magic {@code 0x0000 08 NN} for unsigned
 * bytes with NN dimensions, then NN big-endian int32 sizes, then the data. Files ending in
 * {@code .gz} are (de)compressed transparently.
 */
public final class IdxFormat {
    private static final int UBYTE = 0x08;
    private static final long MAX_BYTES = 1L << 31;

    private IdxFormat() {
    }

    /** A decoded IDX array: dimensions and the raw unsigned bytes. */
    public record IdxArray(int[] dims, byte[] data) {
    }

    /**
     * @throws InvalidInputException when the header is not an unsigned-byte IDX header or the data is short
     */
    public static IdxArray read(Path file) throws IOException {
        try (InputStream raw = open(file)) {
            return read(raw, file.toString(), MAX_BYTES);
        }
    }

    /**
     * Reads an unsigned-byte IDX array from a stream (not closed; decompress it first if it is gzipped).
     *
     * @param source       names the input in error messages
     * @param maxDataBytes data bytes accepted at most, checked against the header before any data is read
     * @throws InvalidInputException      when the header is not an unsigned-byte IDX header or the data is short
     * @throws CapacityExceededException when the header announces more than {@code maxDataBytes}
     */
    public static IdxArray read(InputStream raw, String source, long maxDataBytes) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new InvalidInputException(source + ": too short for an IDX header");
        }
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != UBYTE) {
            throw new InvalidInputException(source + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int rank = magic & 0xFF;
        if (rank < 1 || rank > 4) {
            throw new InvalidInputException(source + ": IDX rank " + rank + " outside 1..4");
        }
        int[] dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new InvalidInputException(source + ": IDX header truncated");
            }
            if (dims[i] < 0) {
                throw new InvalidInputException(source + ": negative IDX dimension " + dims[i]);
            }
            total *= dims[i];
            if (total >= MAX_BYTES) {
                throw new InvalidInputException(source + ": IDX data larger than 2 GiB");
            }
        }
        if (total > maxDataBytes) {
            throw new CapacityExceededException(source + ": IDX data of " + total + " bytes, over the limit of " + maxDataBytes);
        }
        byte[] data = in.readNBytes((int) total);
        if (data.length != total) {
            throw new InvalidInputException(source + ": IDX data truncated, " + data.length + " of " + total + " bytes");
        }
        return new IdxArray(dims, data);
    }

    /** Writes an unsigned-byte IDX file, gzipped when the name ends in .gz. */
    public static void write(Path file, int[] dims, byte[] data) throws IOException {
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file));
        if (file.toString().endsWith(".gz")) {
            raw = new GZIPOutputStream(raw);
        }
        try (DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt((UBYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    /**
     * Reads an image file and a label file into one dataset.
     *
     * @throws InvalidInputException when the counts differ
     */
    public static ByteDataset readLabelled(Path images, Path labels) throws IOException {
        IdxArray img = read(images);
        IdxArray lab = read(labels);
        int n = img.dims()[0];
        if (lab.dims().length != 1 || lab.dims()[0] != n) {
            throw new InvalidInputException(images + " has " + n + " samples but " + labels + " has "
                    + lab.dims()[0] + " labels");
        }
        int features = n == 0 ? 1 : img.data().length / n;
        return new ByteDataset(img.data(), lab.data(), features);
    }

    /** Writes a byte dataset as a pair of 28x28-style IDX files with the given image side. */
    public static void writeLabelled(ByteDataset data, int rows, int cols, Path images, Path labels) throws IOException {
        byte[] f = new byte[data.size() * data.featureCount()];
        byte[] l = new byte[data.size()];
        for (int i = 0; i < data.size(); i++) {
            System.arraycopy(data.rawBytes(i), 0, f, i * data.featureCount(), data.featureCount());
            l[i] = (byte) data.label(i);
        }
        write(images, new int[] {data.size(), rows, cols}, f);
        write(labels, new int[] {data.size()}, l);
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }
}
