package io.flock.core.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Semaphore;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/** The entropy-coding stage of the quantising codecs: a Huffman-only deflate stream, inflated with a size bound. */
final class Entropy {
    private static final Semaphore INFLATERS = new Semaphore(Integer.getInteger("flock.inflaters", Runtime.getRuntime().availableProcessors()));

    private Entropy() {
    }

    /**
     * Quantised values carry few repeats for LZ77 to find; Huffman coding alone takes the entropy
     * gain at under half the CPU of a full deflate, in a stream any inflater reads.
     */
    static byte[] huffman(byte[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length / 2 + 64);
        Deflater huffman = new Deflater(Deflater.BEST_SPEED);
        huffman.setStrategy(Deflater.HUFFMAN_ONLY);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, huffman, 1 << 16)) {
            deflate.write(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            huffman.end();
        }
        return out.toByteArray();
    }

    /**
     * Inflates the whole frame while holding one of a few process-wide permits (one per core). Zlib
     * runs inside JNI critical sections that hold off the garbage collector; a thousand agents of
     * one simulated fleet inflating a push at once kept it locked out until allocations failed with
     * OutOfMemoryError ("Retried waiting for GCLocker too often"). More inflaters than cores would
     * only share the CPU anyway.
     *
     * @return the inflated frame; fails past the largest frame a codec may hold
     */
    static DataInputStream inflate(byte[] bytes) {
        INFLATERS.acquireUninterruptibly();
        try (InputStream in = new BoundedInputStream(new InflaterInputStream(new ByteArrayInputStream(bytes)),
                ParameterFrame.MAX_VALUES * 4 + (1 << 20))) {
            return new DataInputStream(new ByteArrayInputStream(in.readAllBytes()));
        } catch (IOException e) {
            throw new CodecFormatException("corrupt compressed parameters: " + e.getMessage());
        } finally {
            INFLATERS.release();
        }
    }

    /** Stops decompression bombs: fails once more than {@code limit} bytes were read. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --remaining < 0) {
                throw new CodecFormatException("inflated parameters exceed the size limit");
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (remaining -= n) < 0) {
                throw new CodecFormatException("inflated parameters exceed the size limit");
            }
            return n;
        }
    }
}
