package io.flock.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.round.RoundResult;
import io.flock.core.train.Evaluation;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CoordinatorMetricsTest {
    private final CoordinatorMetrics metrics = new CoordinatorMetrics(() -> 3, () -> Map.of("m", Map.of("PRODUCTION", 1L)), () -> 10L)
            .model("m");

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static RoundResult round(long n, int accepted, CompletableFuture<Evaluation> scores) {
        return new RoundResult(n, n, scores, 1.5, 4, accepted, 4 - accepted, false, List.of("a", "b", "c", "d"));
    }

    @Test
    void roundAccuracyIsTheNewestScoredRoundsOnceItsScoresArrive() throws Exception {
        CompletableFuture<Evaluation> scores = new CompletableFuture<>();
        metrics.roundFinished("m", round(1, 3, scores));
        assertThat(scrape()).contains("flock_rounds_total{model=\"m\",outcome=\"closed\"} 1.0").doesNotContain("flock_round_accuracy{");
        scores.complete(new Evaluation(0.875, 0.4, 800));
        assertThat(scrape()).contains("flock_round_accuracy{model=\"m\"} 0.875");

        metrics.roundFinished("m", round(2, 0, CompletableFuture.completedFuture(null))); // failed: no new version
        metrics.roundFinished("m", round(3, 2, CompletableFuture.failedFuture(new IllegalStateException("scoring failed"))));
        metrics.roundFinished("m", round(4, 2, CompletableFuture.completedFuture(null))); // not evaluated
        assertThat(scrape()).contains("flock_round_accuracy{model=\"m\"} 0.875").contains("outcome=\"failed\"} 1.0")
                .contains("flock_devices_online 3.0").contains("flock_model_versions{model=\"m\",stage=\"production\"} 1.0");
    }
}
