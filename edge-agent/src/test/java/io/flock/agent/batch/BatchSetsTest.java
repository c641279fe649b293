package io.flock.agent.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.flock.agent.AgentConfig;
import io.flock.core.data.InputDigest;
import io.flock.core.model.Prediction;
import io.flock.proto.v1.BatchPredictionChunk;
import io.flock.proto.v1.BatchPredictionRow;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls against a stand-in coordinator that serves 10 rows in chunks of 3 and can break a stream. */
class BatchSetsTest {
    private static final int ROWS = 10;
    @TempDir
    Path dir;
    private final AtomicLong running = new AtomicLong(4);
    private final List<Long> offsets = new ArrayList<>();
    private long deviceVersion = 4;
    private long version = 7;
    private int breakAfterChunks = -1;

    private static float[] input(int i) {
        return new float[] {i, i + 1, i + 2};
    }

    private BatchPredictionChunk chunk(long from) {
        BatchPredictionChunk.Builder c = BatchPredictionChunk.newBuilder().setSet("s").setSetSha256("f".repeat(64)).setModel("cloud")
                .setVersion(version).setDeviceVersion(deviceVersion).setTotalRows(ROWS).setOffsetRows(from);
        for (long i = from; i < Math.min(ROWS, from + 3); i++) {
            c.addRows(BatchPredictionRow.newBuilder().setInputSha256(ByteString.copyFrom(InputDigest.of(input((int) i))))
                    .setLabel((int) i % 2).addProbabilities(i % 2 == 0 ? 0.9f : 0.1f).addProbabilities(i % 2 == 0 ? 0.1f : 0.9f));
        }
        return c.build();
    }

    private Iterator<BatchPredictionChunk> fetch(String set, long offset) {
        offsets.add(offset);
        List<BatchPredictionChunk> chunks = new ArrayList<>();
        long from = offset;
        do {
            chunks.add(chunk(from));
            from = Math.min(ROWS, from + 3);
        } while (from < ROWS);
        int breakAt = breakAfterChunks;
        breakAfterChunks = -1;
        Iterator<BatchPredictionChunk> it = chunks.iterator();
        return new Iterator<>() {
            private int sent;

            @Override
            public boolean hasNext() {
                if (sent == breakAt) {
                    throw Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException();
                }
                return it.hasNext();
            }

            @Override
            public BatchPredictionChunk next() {
                sent++;
                return it.next();
            }
        };
    }

    private BatchSets sets() {
        return new BatchSets("d", new AgentConfig.Batch(List.of("s"), Duration.ofMinutes(5)), dir, this::fetch, running::get);
    }

    @Test
    void pull_brokenAfterTwoChunks_resumesFromTheLastRowReceived_endsWithTheSameRows() {
        BatchSets whole = sets();
        assertThat(whole.pull("s")).isEqualTo(BatchSets.Outcome.COMPLETE);
        BatchSets broken = new BatchSets("d2", new AgentConfig.Batch(List.of("s"), Duration.ofMinutes(5)), dir.resolve("d2"), this::fetch,
                running::get);
        offsets.clear();
        breakAfterChunks = 2;

        assertThatThrownBy(() -> broken.pull("s")).hasMessageContaining("connection reset");
        assertThat(broken.find(input(0))).as("nothing answered from half a set").isEmpty();
        assertThat(broken.pull("s")).isEqualTo(BatchSets.Outcome.COMPLETE);

        assertThat(offsets).containsExactly(0L, 6L);
        for (int i = 0; i < ROWS; i++) {
            Prediction a = broken.find(input(i)).orElseThrow();
            Prediction b = whole.find(input(i)).orElseThrow();
            assertThat(a.label()).isEqualTo(b.label()).isEqualTo(i % 2);
            assertThat(a.probabilities()).isEqualTo(b.probabilities());
            assertThat(a.model()).isEqualTo("cloud");
            assertThat(a.version()).isEqualTo(7);
        }
        assertThat(broken.find(new float[] {100, 101, 102})).isEmpty();
    }

    @Test
    void resume_theCoordinatorRecomputedMeanwhile_startsOverFromRowZero() {
        BatchSets sets = sets();
        breakAfterChunks = 1;
        assertThatThrownBy(() -> sets.pull("s")).isInstanceOf(RuntimeException.class);
        version = 8;

        assertThat(sets.pull("s")).isEqualTo(BatchSets.Outcome.COMPLETE);

        assertThat(offsets).containsExactly(0L, 3L, 0L);
        assertThat(sets.find(input(5)).orElseThrow().version()).isEqualTo(8);
    }

    @Test
    void find_setOlderThanTheRunningDeviceVersion_notUsedUntilReStamped() {
        BatchSets sets = sets();
        sets.pull("s");
        assertThat(sets.find(input(3))).isPresent();

        running.set(5);

        assertThat(sets.find(input(3))).as("stale: stands for device version 4").isEmpty();
        deviceVersion = 5;
        offsets.clear();
        assertThat(sets.pull("s")).isEqualTo(BatchSets.Outcome.UP_TO_DATE);
        assertThat(offsets).as("asked from the end: only the stamp travels").containsExactly((long) ROWS);
        assertThat(sets.find(input(3))).isPresent();
        assertThat(sets.deviceVersion("s")).isEqualTo(5);
    }

    @Test
    void start_setsKeptOnDisk_answerAtOnceAfterARestart() {
        BatchSets first = sets();
        first.pull("s");
        first.close();
        breakAfterChunks = 0; // the coordinator is gone: every pull breaks at once

        BatchSets restarted = sets().start();
        try {
            assertThat(restarted.find(input(9))).hasValueSatisfying(p -> assertThat(p.label()).isEqualTo(1));
            assertThat(restarted.rows("s")).isEqualTo(ROWS);
        } finally {
            restarted.close();
        }
    }
}
