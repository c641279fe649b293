package io.flock.simulator.demo;

import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds training samples inside captured payloads, in the encodings a leak would take: the raw
 * pixel bytes, the pixels as float32, and the pipeline's features as float32 (little and big
 * endian). Each sample is fingerprinted by a 32-value window from its middle rows, anchored where
 * the first pixels are non-zero and varied so that prefixes are rare; a match needs the whole
 * window, found in O(payload bytes) by indexing the window's first 8 bytes.
 */
public final class SampleFinder {
    private static final int OFFSET = 14 * 28;
    private static final int WINDOW = 32;
    private final Map<Long, List<byte[]>> byPrefix = new HashMap<>();
    private int fingerprints;

    private SampleFinder() {
    }

    /** Fingerprints every sample of {@code samples}, raw and through {@code pipeline}. */
    public SampleFinder(ByteDataset samples, FeaturePipeline pipeline) {
        float[] raw = new float[samples.featureCount()];
        for (int i = 0; i < samples.size(); i++) {
            int at = anchor(samples.rawBytes(i));
            if (at < 0) {
                continue; // too plain to be a fingerprint
            }
            byte[] pixels = Arrays.copyOfRange(samples.rawBytes(i), at, at + WINDOW);
            samples.copyRawFeatures(i, raw, 0);
            float[] rawWindow = Arrays.copyOfRange(raw, at, at + WINDOW);
            float[] featureWindow = pipeline.transform(rawWindow);
            add(pixels);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                add(floats(rawWindow, order));
                add(floats(featureWindow, order));
            }
        }
    }

    /**
     * @param rows  values the device computed from its private data (a teacher's soft targets, say), row-major
     * @param width values per row; each row is a fingerprint, as float32 in both byte orders
     * @return a finder of those rows
     */
    public static SampleFinder ofFloatRows(float[] rows, int width) {
        SampleFinder f = new SampleFinder();
        for (int at = 0; at + width <= rows.length; at += width) {
            float[] row = Arrays.copyOfRange(rows, at, at + width);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                f.add(floats(row, order));
            }
        }
        return f;
    }

    /** @return how many windows it looks for */
    public int fingerprints() {
        return fingerprints;
    }

    /** @return how many fingerprint windows occur in the payload */
    public int matches(byte[] payload) {
        int found = 0;
        ByteBuffer buf = ByteBuffer.wrap(payload);
        for (int i = 0; i + 8 <= payload.length; i++) {
            List<byte[]> candidates = byPrefix.get(buf.getLong(i));
            if (candidates == null) {
                continue;
            }
            for (byte[] w : candidates) {
                if (i + w.length <= payload.length && Arrays.equals(payload, i, i + w.length, w, 0, w.length)) {
                    found++;
                }
            }
        }
        return found;
    }

    /** @return a payload that contains sample {@code i}'s pixels and features (a positive control) */
    public static byte[] leakOf(ByteDataset samples, int i, FeaturePipeline pipeline) {
        float[] raw = new float[samples.featureCount()];
        samples.copyRawFeatures(i, raw, 0);
        byte[] a = samples.rawBytes(i);
        byte[] b = floats(pipeline.transform(raw), ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[a.length + b.length + 3];
        System.arraycopy(a, 0, out, 3, a.length);
        System.arraycopy(b, 0, out, 3 + a.length, b.length);
        return out;
    }

    private void add(byte[] window) {
        byPrefix.computeIfAbsent(ByteBuffer.wrap(window).getLong(0), k -> new ArrayList<>()).add(window);
        fingerprints++;
    }

    private static byte[] floats(float[] v, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(order);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** @return the first offset from the middle rows whose window starts with 8 varied non-zero pixels, -1 if none */
    private static int anchor(byte[] image) {
        for (int at = OFFSET; at + WINDOW <= image.length; at++) {
            boolean ok = true;
            for (int k = 0; k < 8 && ok; k++) {
                ok = image[at + k] != 0;
            }
            if (ok && Arrays.stream(toInts(Arrays.copyOfRange(image, at, at + 8))).distinct().count() >= 5) {
                return at;
            }
        }
        return -1;
    }

    private static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }
}
