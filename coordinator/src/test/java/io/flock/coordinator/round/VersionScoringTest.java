package io.flock.coordinator.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.store.VariantRow;
import io.flock.coordinator.store.VersionRow;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.Evaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionScoringTest {
    private static final ModelParameters PARAMS = new ModelParameters(List.of(new Tensor("w", new int[] {2}, new float[] {1f, 2f})));

    @TempDir
    Path dir;
    private JdbcFlockStore store;

    @BeforeEach
    void open() {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        for (long v = 1; v <= 3; v++) {
            long n = store.reserveVersion("m", "mlp:2-2", "scale:255");
            store.saveVersion(new VersionRow("m", n, "mlp:2-2", "scale:255", FlockStore.CANDIDATE, "a".repeat(64), v, Double.NaN,
                    Double.NaN, 0, new byte[0]), List.of(new VariantRow("m", n, "fp32", "a".repeat(64), 8, new byte[] {1}, true)));
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void scoreReturnsAtOnce_andTheStoreGetsTheScoresWhenTheyArrive() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (VersionScoring scoring = new VersionScoring("m", store::recordScores, p -> {
            await(release);
            return new Evaluation(0.75, 0.5, 100);
        })) {
            CompletableFuture<Evaluation> scores = scoring.score(2, 3, PARAMS);

            assertThat(scores).isNotDone();
            assertThat(store.version("m", 3).orElseThrow().accuracy()).isNaN();
            release.countDown();
            assertThat(scores.get(10, TimeUnit.SECONDS).accuracy()).isEqualTo(0.75);
            assertThat(store.version("m", 3).orElseThrow().accuracy()).isEqualTo(0.75);
            assertThat(store.version("m", 3).orElseThrow().loss()).isEqualTo(0.5);
        }
    }

    @Test
    void versionsAreScoredOneAtATimeInPublicationOrder() throws Exception {
        List<Float> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (VersionScoring scoring = new VersionScoring("m", store::recordScores, p -> {
            await(release);
            order.add(p.tensors().get(0).data()[0]);
            return new Evaluation(p.tensors().get(0).data()[0] / 10, 1, 10);
        })) {
            CompletableFuture<Evaluation> first = scoring.score(1, 2, scaled(1f));
            CompletableFuture<Evaluation> second = scoring.score(2, 3, scaled(2f));
            release.countDown();
            second.get(10, TimeUnit.SECONDS);
            assertThat(first).isDone();
            assertThat(order).containsExactly(1f, 2f);
            assertThat(store.version("m", 3).orElseThrow().accuracy()).isCloseTo(0.2, org.assertj.core.api.Assertions.within(1e-6));
        }
    }

    @Test
    void aFailedScoringFailsOnlyItsFuture_andTheRoundReadsNaN() throws Exception {
        try (VersionScoring scoring = new VersionScoring("m", store::recordScores, p -> {
            throw new IllegalStateException("evaluator closed");
        })) {
            CompletableFuture<Evaluation> scores = scoring.score(1, 3, PARAMS);
            assertThatThrownBy(() -> scores.get(10, TimeUnit.SECONDS)).hasMessageContaining("evaluator closed");
            RoundResult result = new RoundResult(1, 3, scores, 0.1, 1, 1, 0, false, List.of("d"));
            assertThat(result.accuracy()).isNaN();
            assertThat(result.loss()).isNaN();
            assertThat(store.version("m", 3).orElseThrow().accuracy()).isNaN();
            // the next version is still scored
            assertThatThrownBy(() -> scoring.score(2, 3, PARAMS).join()).isInstanceOf(CompletionException.class);
        }
    }

    @Test
    void noHeldOutSet_completesWithNull_andLeavesTheStoreAlone() throws Exception {
        try (VersionScoring scoring = new VersionScoring("m", store::recordScores, p -> null)) {
            assertThat(scoring.score(1, 3, PARAMS).get(10, TimeUnit.SECONDS)).isNull();
            assertThat(store.version("m", 3).orElseThrow().accuracy()).isNaN();
        }
    }

    private static ModelParameters scaled(float v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {2}, new float[] {v, v})));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
