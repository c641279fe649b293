package io.flock.core.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;

/** The entropy-coding stage of the quantising codecs: a deflate stream (Huffman-only or full), inflated with a size bound. */
final class Entropy {
    private static final Semaphore INFLATERS = new Semaphore(Runtime.getRuntime().availableProcessors());

    private Entropy() {
    }

    /**
     * Quantised values carry few repeats for LZ77 to find; Huffman coding alone takes the entropy
     * gain at under half the CPU of a full deflate, in a stream any inflater reads.
     */
    static byte[] huffman(byte[] frame) {
        return deflate(frame, Deflater.BEST_SPEED, Deflater.HUFFMAN_ONLY, frame.length / 2);
    }

    /** Full deflate (LZ77 + Huffman), for frames with runs to find: a pruned model's bitmaps and zero codes. */
    static byte[] deflate(byte[] frame) {
        return deflate(frame, Deflater.BEST_COMPRESSION, Deflater.DEFAULT_STRATEGY, frame.length / 4);
    }

    private static byte[] deflate(byte[] frame, int level, int strategy, int expectedBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(expectedBytes + 64);
        Deflater deflater = new Deflater(level);
        deflater.setStrategy(strategy);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, deflater, 1 << 16)) {
            deflate.write(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end();
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
     * @param limit the most bytes the frame may inflate to ({@link ParameterFrame#maxFrameBytes})
     * @return the inflated frame; fails past the limit
     */
    static DataInputStream inflate(byte[] bytes, long limit) {
        Inflater inflater = new Inflater();
        INFLATERS.acquireUninterruptibly();
        try {
            // one call per buffer-full over the whole input: a stream would call zlib per 512 input bytes
            inflater.setInput(bytes);
            byte[] out = new byte[(int) Math.min(limit, Math.max(1024L, bytes.length * 2L))];
            int n = 0;
            while (!inflater.finished()) {
                if (n == out.length) {
                    if (out.length >= limit) {
                        throw new CodecFormatException("inflated parameters exceed the size limit");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(limit, out.length * 2L));
                }
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CodecFormatException("corrupt compressed parameters: truncated stream");
                }
                n += got;
            }
            return new DataInputStream(new ByteArrayInputStream(out, 0, n));
        } catch (DataFormatException e) {
            throw new CodecFormatException("corrupt compressed parameters: " + e.getMessage());
        } finally {
            INFLATERS.release();
            inflater.end();
        }
    }
}
