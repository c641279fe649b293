package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The wire form of a masked vector: each int as 4 little-endian bytes, no header. */
public final class MaskedVectors {
    /** The codec name a masked vector travels under in an update header: 32-bit little-endian ring elements. */
    public static final String CODEC = "secagg-ring32";

    private MaskedVectors() {
    }

    /** @return 4 x vector.length bytes, little-endian */
    public static byte[] encode(int[] vector) {
        byte[] out = new byte[vector.length * 4];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(vector);
        return out;
    }

    /**
     * @param payload        the bytes received
     * @param expectedLength the round's vector length L
     * @return the L ints
     * @throws InvalidInputException when payload is not exactly 4 x L bytes
     */
    public static int[] decode(byte[] payload, int expectedLength) {
        long expected = 4L * expectedLength;
        if (payload == null || payload.length != expected) {
            throw new InvalidInputException("masked vector of " + (payload == null ? "null" : payload.length)
                    + " bytes, expected 4 x " + expectedLength + " = " + expected);
        }
        int[] out = new int[expectedLength];
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }
}
