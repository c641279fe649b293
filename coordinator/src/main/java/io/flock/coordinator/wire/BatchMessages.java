package io.flock.coordinator.wire;

import com.google.protobuf.ByteString;
import io.flock.coordinator.batch.BatchResult;
import io.flock.coordinator.batch.InputSet;
import io.flock.core.model.Prediction;
import io.flock.proto.v1.BatchPredictionChunk;
import io.flock.proto.v1.BatchPredictionRow;
import io.flock.proto.v1.InputSetInfo;
import java.util.ArrayList;
import java.util.List;

/** Converts batch predictions to flock.v1 messages: sets for operators, chunks of precomputed rows for devices. */
public final class BatchMessages {
    /** Largest chunk message: well under gRPC's 4 MiB default, and what a small device buffers at once. */
    public static final int MAX_CHUNK_BYTES = 1 << 20;
    /** Room for a chunk's fields besides its rows (names of at most 128 characters, numbers, a digest). */
    private static final int CHUNK_HEADER_BYTES = 1024;

    private BatchMessages() {
    }

    /** @return the operator's view of a set */
    public static InputSetInfo info(InputSet s) {
        InputSetInfo.Builder b = InputSetInfo.newBuilder().setName(s.name()).setModel(s.model()).setFormat(s.format().wireName())
                .setRows(s.rows()).setFeatures(s.features()).setSha256(s.sha256()).setSizeBytes(s.sizeBytes())
                .setRegisteredUnixMs(s.registeredMs());
        if (s.computed() != null) {
            b.setComputedModel(s.computed().model()).setComputedVersion(s.computed().version())
                    .setDeviceVersion(s.computed().deviceVersion()).setComputedUnixMs(s.computed().computedMs());
        }
        return b.build();
    }

    /**
     * @return rows per chunk: at most {@code maxRows} (0 = no preference), and never so many that a chunk exceeds
     *         {@link #MAX_CHUNK_BYTES}
     */
    public static int rowsPerChunk(int classes, int maxRows) {
        // a row's worst case on the wire: entry tag and length (6), digest (34), label (6), probabilities (6 + 4 per class)
        int fit = Math.max(1, (MAX_CHUNK_BYTES - CHUNK_HEADER_BYTES) / (52 + 4 * classes));
        return maxRows > 0 ? Math.min(maxRows, fit) : fit;
    }

    /**
     * @return the rows from {@code offset} to the end in chunks of {@code rowsPerChunk}; one chunk without rows when
     *         {@code offset} is the end (so the caller still learns the result's model, versions and size)
     */
    public static List<BatchPredictionChunk> chunks(BatchResult r, int offset, int rowsPerChunk) {
        List<BatchPredictionChunk> out = new ArrayList<>();
        int from = offset;
        do {
            int to = Math.min(r.rows(), from + rowsPerChunk);
            BatchPredictionChunk.Builder c = BatchPredictionChunk.newBuilder().setSet(r.set()).setSetSha256(r.setSha256())
                    .setModel(r.model()).setVersion(r.version()).setDeviceVersion(r.deviceVersion()).setTotalRows(r.rows())
                    .setOffsetRows(from);
            for (int i = from; i < to; i++) {
                Prediction p = r.prediction(i);
                BatchPredictionRow.Builder row = BatchPredictionRow.newBuilder().setInputSha256(ByteString.copyFrom(r.digest(i)))
                        .setLabel(p.label());
                for (float f : p.probabilities()) {
                    row.addProbabilities(f);
                }
                c.addRows(row);
            }
            out.add(c.build());
            from = to;
        } while (from < r.rows());
        return out;
    }
}
