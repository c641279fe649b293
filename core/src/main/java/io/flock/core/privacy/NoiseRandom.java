package io.flock.core.privacy;

import java.security.SecureRandom;
import java.util.Random;

/**
 * A cryptographically strong source for the noise of the Gaussian mechanism that is fast enough for a model's worth of
 * samples per round: the JDK's DRBG, drawn 64 KiB at a time. {@code SecureRandom.nextGaussian} pays a DRBG call per 4
 * bytes, about 0.5 s for the 199,210 coordinates of the W1 MLP; buffered, it is a few milliseconds. The bits are the
 * DRBG's own (a {@link Random} only in shape: its seed and linear congruence are never used), so the output is as
 * strong as the DRBG. Thread-safe (its methods are synchronized).
 */
public final class NoiseRandom extends Random {
    private static final long serialVersionUID = 1L;
    private static final int BLOCK = 1 << 16;
    private final SecureRandom drbg;
    /** Allocated on first use: a device that never adds noise (most of a 100,000-device simulation) holds no 64 KiB block. */
    private byte[] block;
    private int at = BLOCK;

    /** Seeds a new DRBG from the operating system. */
    public NoiseRandom() {
        this.drbg = drbg();
    }

    @Override
    protected synchronized int next(int bits) {
        if (at + 4 > BLOCK) {
            if (block == null) {
                block = new byte[BLOCK];
            }
            drbg.nextBytes(block);
            at = 0;
        }
        int v = (block[at] & 0xff) | (block[at + 1] & 0xff) << 8 | (block[at + 2] & 0xff) << 16 | (block[at + 3] & 0xff) << 24;
        at += 4;
        return v >>> (32 - bits);
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
        drbg.nextBytes(bytes);
    }

    @Override
    public synchronized void setSeed(long seed) {
        // the DRBG seeds itself; a caller's seed would only weaken it
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
