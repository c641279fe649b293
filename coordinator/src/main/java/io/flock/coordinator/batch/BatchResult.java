package io.flock.coordinator.batch;

import io.flock.core.data.InputDigest;
import io.flock.core.model.Prediction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The precomputed predictions of one input set, in row order: per row the digest of its raw input
 * ({@link InputDigest}), the label and the class probabilities, encoded as fixed-width little-endian rows (the form
 * the store keeps). Immutable by contract.
 *
 * @param set           the input set's name
 * @param setSha256     the digest of the set's file they were computed from
 * @param model         the model that computed them
 * @param version       its version
 * @param deviceVersion the device model's production version they stand for
 * @param computedMs    when, Unix ms
 * @param rows          rows
 * @param classes       probabilities per row
 * @param encoded       {@code rows} rows of {@link #rowBytes(int)} bytes
 */
public record BatchResult(String set, String setSha256, String model, long version, long deviceVersion, long computedMs, int rows,
                          int classes, byte[] encoded) {
    /** Checks the payload's length. */
    public BatchResult {
        if ((long) rows * rowBytes(classes) != encoded.length) {
            throw new IllegalArgumentException(encoded.length + " bytes are not " + rows + " rows of " + classes + " classes");
        }
    }

    /** @return bytes of one encoded row: digest, label, probabilities */
    public static int rowBytes(int classes) {
        return InputDigest.BYTES + Integer.BYTES + classes * Float.BYTES;
    }

    /**
     * @param digests       {@code rows} input digests, concatenated
     * @param probabilities {@code rows * classes}, row-major
     * @return the rows encoded (labels are each row's most probable class)
     */
    public static byte[] encode(byte[] digests, float[] probabilities, int rows, int classes) {
        ByteBuffer b = ByteBuffer.allocate(rows * rowBytes(classes)).order(ByteOrder.LITTLE_ENDIAN);
        float[] row = new float[classes];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(probabilities, i * classes, row, 0, classes);
            b.put(digests, i * InputDigest.BYTES, InputDigest.BYTES);
            b.putInt(Prediction.of(row, "", 0).label());
            for (float p : row) {
                b.putFloat(p);
            }
        }
        return b.array();
    }

    /** @return row {@code i}'s input digest */
    public byte[] digest(int i) {
        byte[] d = new byte[InputDigest.BYTES];
        System.arraycopy(encoded, i * rowBytes(classes), d, 0, d.length);
        return d;
    }

    /** @return row {@code i}'s answer, as this result's model and version gave it */
    public Prediction prediction(int i) {
        ByteBuffer b = ByteBuffer.wrap(encoded, i * rowBytes(classes) + InputDigest.BYTES, Integer.BYTES + classes * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        int label = b.getInt();
        float[] p = new float[classes];
        for (int k = 0; k < classes; k++) {
            p[k] = b.getFloat();
        }
        return new Prediction(label, p, model, version);
    }
}
