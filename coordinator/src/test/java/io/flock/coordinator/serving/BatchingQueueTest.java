package io.flock.coordinator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.CapacityExceededException;
import io.flock.core.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class BatchingQueueTest {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Doubles every value; records each batch's size; waits for {@code gate} before its first batch. */
    private static BatchingQueue.BatchFunction<float[], float[]> doubling(List<Integer> sizes, CountDownLatch gate) {
        return rows -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            sizes.add(rows.size());
            return rows.stream().map(r -> new float[] {r[0] * 2}).toList();
        };
    }

    @Test
    void submit_eightRowsAtOnce_runAsTwoBatchesOfFour_eachCallerGetsItsOwnAnswer() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (BatchingQueue<float[], float[]> q = new BatchingQueue<>(new BatchingConfig(4, Duration.ofMillis(200), 1, 16), doubling(sizes, new CountDownLatch(0)),
                "t")) {
            List<CompletableFuture<float[]>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(q.submit(new float[] {i}, NO_DEADLINE));
            }

            for (int i = 0; i < 8; i++) {
                assertThat(answers.get(i).get(5, TimeUnit.SECONDS)).containsExactly(2f * i);
            }
            assertThat(sizes).containsExactly(4, 4);
            assertThat(q.batches()).isEqualTo(2);
            assertThat(q.rows()).isEqualTo(8);
        }
    }

    @Test
    void submit_aLoneRow_waitsAtMostMaxDelay() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (BatchingQueue<float[], float[]> q = new BatchingQueue<>(new BatchingConfig(32, Duration.ofMillis(20), 1, 64), doubling(sizes, new CountDownLatch(0)),
                "t")) {
            long start = System.nanoTime();

            float[] out = q.submit(new float[] {3}, NO_DEADLINE).get(5, TimeUnit.SECONDS);

            assertThat(out).containsExactly(6f);
            assertThat((System.nanoTime() - start) / 1e6).as("ms for a batch of one").isBetween(15.0, 1000.0);
            assertThat(sizes).containsExactly(1);
        }
    }

    @Test
    void submit_queueFull_refusedAtOnceWithARetryHint() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (BatchingQueue<float[], float[]> q = new BatchingQueue<>(new BatchingConfig(1, Duration.ZERO, 1, 2), doubling(new CopyOnWriteArrayList<>(), gate),
                "t")) {
            CompletableFuture<float[]> running = q.submit(new float[] {1}, NO_DEADLINE);
            awaitWaiting(q, 0); // the worker holds the first row in the batch function
            CompletableFuture<float[]> second = q.submit(new float[] {2}, NO_DEADLINE);
            CompletableFuture<float[]> third = q.submit(new float[] {3}, NO_DEADLINE);

            CompletableFuture<float[]> refused = q.submit(new float[] {4}, NO_DEADLINE);

            assertThat(refused).isCompletedExceptionally();
            assertThatThrownBy(refused::get).hasCauseInstanceOf(CapacityExceededException.class).hasMessageContaining("queue full")
                    .hasMessageContaining("retry after");
            assertThat(q.refused()).isEqualTo(1);
            gate.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS)).containsExactly(2f);
            assertThat(second.get(5, TimeUnit.SECONDS)).containsExactly(4f);
            assertThat(third.get(5, TimeUnit.SECONDS)).containsExactly(6f);
        }
    }

    @Test
    void submit_deadlinePassedWhileQueued_droppedBeforeItIsComputed() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (BatchingQueue<float[], float[]> q = new BatchingQueue<>(new BatchingConfig(1, Duration.ZERO, 1, 8), doubling(sizes, gate), "t")) {
            CompletableFuture<float[]> running = q.submit(new float[] {1}, NO_DEADLINE);
            awaitWaiting(q, 0);
            CompletableFuture<float[]> late = q.submit(new float[] {2}, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
            Thread.sleep(50);

            gate.countDown();

            assertThat(running.get(5, TimeUnit.SECONDS)).containsExactly(2f);
            assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(DeadlinePassedException.class);
            assertThat(sizes).as("only the first row was computed").containsExactly(1);
            assertThat(q.expired()).isEqualTo(1);
        }
    }

    @Test
    void submit_batchFunctionFails_everyCallerOfThatBatchGetsTheError_andTheWorkerGoesOn() throws Exception {
        boolean[] fail = {true};
        try (BatchingQueue<float[], float[]> q = new BatchingQueue<>(new BatchingConfig(8, Duration.ofMillis(100), 1, 16), rows -> {
            if (fail[0]) {
                fail[0] = false;
                throw new IllegalArgumentException("bad batch");
            }
            return rows;
        }, "t")) {
            CompletableFuture<float[]> a = q.submit(new float[] {1}, NO_DEADLINE);
            CompletableFuture<float[]> b = q.submit(new float[] {2}, NO_DEADLINE);

            assertThatThrownBy(() -> a.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(q.submit(new float[] {3}, NO_DEADLINE).get(5, TimeUnit.SECONDS)).containsExactly(3f);
        }
    }

    @Test
    void config_outOfRange_namesTheKey() {
        assertThatThrownBy(() -> new BatchingConfig(0, Duration.ZERO, 1, 8)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("serving.max-batch");
        assertThatThrownBy(() -> new BatchingConfig(8, Duration.ofSeconds(2), 1, 8)).hasMessageContaining("serving.max-delay");
        assertThatThrownBy(() -> new BatchingConfig(8, Duration.ZERO, 0, 8)).hasMessageContaining("serving.workers");
        assertThatThrownBy(() -> new BatchingConfig(8, Duration.ZERO, 1, 4)).hasMessageContaining("serving.queue-capacity");
    }

    private static void awaitWaiting(BatchingQueue<?, ?> q, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (q.waiting() != n && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Thread.sleep(20); // the worker is inside the batch function now
    }
}
