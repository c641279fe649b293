package io.flock.core.data;

import io.flock.core.artifact.Digests;
import java.security.MessageDigest;

/**
 * The name of a raw input without the input: SHA-256 over its raw features as float32 little-endian, with -0 taken
 * as 0 (both give the same features). The coordinator names each row of a batch prediction set so; a device looks an
 * app's input up by the same digest, so the input itself never travels. Thread-safe.
 */
public final class InputDigest {
    /** Bytes in a digest. */
    public static final int BYTES = 32;

    private InputDigest() {
    }

    /** @return the 32-byte digest of {@code raw[offset..offset+length)} */
    public static byte[] of(float[] raw, int offset, int length) {
        byte[] le = new byte[length * Float.BYTES];
        for (int i = 0; i < length; i++) {
            float f = raw[offset + i];
            int bits = Float.floatToIntBits(f == 0f ? 0f : f);
            le[4 * i] = (byte) bits;
            le[4 * i + 1] = (byte) (bits >>> 8);
            le[4 * i + 2] = (byte) (bits >>> 16);
            le[4 * i + 3] = (byte) (bits >>> 24);
        }
        MessageDigest d = Digests.sha256();
        return d.digest(le);
    }

    /** @return the 32-byte digest of one raw input */
    public static byte[] of(float[] raw) {
        return of(raw, 0, raw.length);
    }
}
