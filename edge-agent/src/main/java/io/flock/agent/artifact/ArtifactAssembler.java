package io.flock.agent.artifact;

import io.flock.core.InvalidInputException;
import io.flock.proto.v1.ArtifactChunk;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Collects the chunks of one artifact in any order. Chunks are not authenticated (anyone on the broker can
 * publish them): the assembled bytes are trusted only once they hash to the signed digest, and a chunk that
 * contradicts one already received is reported, not applied. Not thread-safe: the agent serialises access.
 */
final class ArtifactAssembler {
    private final String sha256;
    private final byte[] bytes;
    private final int chunkSize;
    private final int count;
    private final BitSet received = new BitSet();
    private boolean pushed;

    ArtifactAssembler(String sha256, long size, int chunkSize, int count, long maxBytes) {
        if (size < 0 || size > maxBytes) {
            throw new InvalidInputException("artifact of " + size + " bytes exceeds the limit of " + maxBytes);
        }
        if (chunkSize <= 0 || count <= 0 || (long) chunkSize * count < size) {
            throw new InvalidInputException("artifact chunking " + count + " x " + chunkSize + " cannot hold " + size + " bytes");
        }
        this.sha256 = sha256;
        this.bytes = new byte[(int) size];
        this.chunkSize = chunkSize;
        this.count = count;
    }

    String sha256() {
        return sha256;
    }

    /**
     * Adds one pushed chunk; a repeat with the same bytes changes nothing.
     *
     * @return false when a chunk of that index already arrived with other bytes (nothing is changed: which one
     *         is genuine cannot be told from here)
     * @throws InvalidInputException for a chunk that does not fit
     */
    boolean add(ArtifactChunk c) {
        if (c.getIndex() < 0 || c.getIndex() >= count || c.getOffset() != (long) c.getIndex() * chunkSize
                || c.getOffset() + c.getData().size() > bytes.length) {
            throw new InvalidInputException("chunk " + c.getIndex() + " at offset " + c.getOffset() + " does not fit artifact "
                    + sha256.substring(0, 12));
        }
        int from = (int) c.getOffset();
        if (received.get(c.getIndex())) {
            byte[] data = c.getData().toByteArray();
            return Arrays.equals(bytes, from, Math.min(bytes.length, from + chunkSize), data, 0, data.length);
        }
        c.getData().copyTo(bytes, from);
        received.set(c.getIndex());
        pushed = true;
        return true;
    }

    /** @return whether any of the bytes came from pushed chunks (rather than all from a gRPC fetch from offset 0) */
    boolean pushed() {
        return pushed;
    }

    /** @return bytes from the start that arrived without a gap: where a resumed fetch starts */
    long contiguousBytes() {
        int firstMissing = received.nextClearBit(0);
        return Math.min(bytes.length, (long) firstMissing * chunkSize);
    }

    /** Writes fetched bytes from {@code offset} to the end. */
    void fill(long offset, byte[] tail) {
        if (offset < 0 || offset + tail.length != bytes.length) {
            throw new InvalidInputException("fetched " + tail.length + " bytes from offset " + offset + " for an artifact of "
                    + bytes.length);
        }
        System.arraycopy(tail, 0, bytes, (int) offset, tail.length);
        received.set(0, count);
        pushed &= offset > 0;
    }

    boolean complete() {
        return received.cardinality() == count;
    }

    byte[] bytes() {
        return bytes;
    }
}
