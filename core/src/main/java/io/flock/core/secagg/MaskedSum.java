package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Server, stage 3: the running sum of masked vectors, mod 2^32, in O(length) memory; of each vector only its
 * SHA-256 is kept, to tell a replay from a different second vector. Not thread-safe.
 */
final class MaskedSum {
    private final int[] sum;
    private final Map<Integer, byte[]> digests = new TreeMap<>();

    MaskedSum(int length) {
        this.sum = new int[length];
    }

    /** @return SHA-256 of the vector's little-endian bytes; safe to call outside any lock */
    static byte[] digest(int[] vector) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : vector) {
                if (!buf.hasRemaining()) {
                    md.update(buf.flip());
                    buf.clear();
                }
                buf.putInt(v);
            }
            md.update(buf.flip());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * @param digest {@link #digest} of {@code vector}
     * @return ACCEPTED (added), or DUPLICATE when {@code from} sent this very vector before
     * @throws InvalidInputException when {@code from} already sent a different vector (the first one stays)
     */
    Receipt add(int from, int[] vector, byte[] digest) {
        byte[] earlier = digests.get(from);
        if (earlier != null) {
            if (Arrays.equals(earlier, digest)) {
                return Receipt.DUPLICATE;
            }
            throw new InvalidInputException("participant " + from + " already sent a different masked vector");
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += vector[i];
        }
        digests.put(from, digest);
        return Receipt.ACCEPTED;
    }

    /** @return U3, who sent a vector */
    Set<Integer> senders() {
        return new TreeSet<>(digests.keySet());
    }

    /** @return the live running sum */
    int[] sum() {
        return sum;
    }
}
