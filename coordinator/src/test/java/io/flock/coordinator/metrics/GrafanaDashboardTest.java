package io.flock.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.serving.BatchingConfig;
import io.flock.coordinator.serving.BatchingQueue;
import io.flock.coordinator.serving.ResponseCache;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/grafana/flock-dashboard.json: valid, on a Prometheus datasource variable, over metric names that exist. */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "flock-dashboard.json");
    /** The rollout, drift and retraining metrics being added to the coordinator, which the dashboard already shows. */
    private static final Set<String> COMING = Set.of("flock_rollout_stage", "flock_rollout_status", "flock_drift_psi",
            "flock_drift_alarms_total", "flock_retrain_triggers_total");
    private static final Pattern METRIC = Pattern.compile("\\bflock_[a-z_]+");

    /** @return every sample name the coordinator's registry exposes once each metric has a value */
    private static Set<String> exported() throws Exception {
        try (BatchingQueue<float[], float[]> queue = new BatchingQueue<>(new BatchingConfig(1, Duration.ZERO, 1, 2), batch -> batch, "t")) {
            CoordinatorMetrics metrics = new CoordinatorMetrics(() -> 1, () -> Map.of("m", Map.of("CANDIDATE", 1L)), () -> 1L).model("m")
                    .serving(queue, new ResponseCache(1, 1024)).statusMessages(() -> 0);
            metrics.roundFinished("m", new RoundResult(1, 1, CompletableFuture.completedFuture(new io.flock.core.train.Evaluation(0.9, 0.3, 10)),
                    1, 1, 1, 0, false, List.of("d")));
            metrics.predictionServed("m", 0.001);
            metrics.rejected(new IllegalStateException("x"));
            metrics.telemetryReceived();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
            Set<String> names = new HashSet<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
            return names;
        }
    }

    @Test
    void everyPanelQueriesTheDatasourceVariableForMetricsThatExist() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(d.path("uid").asText()).isEqualTo("flock-coordinator");
        JsonNode datasource = d.path("templating").path("list").get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

        Set<String> exported = exported();
        Set<String> queried = new TreeSet<>();
        Set<Integer> ids = new HashSet<>();
        int panels = 0;
        for (JsonNode p : d.path("panels")) {
            assertThat(ids.add(p.path("id").asInt())).as("unique panel id %s", p.path("id")).isTrue();
            JsonNode grid = p.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(p.path("title").asText()).isLessThanOrEqualTo(24);
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            panels++;
            assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
            assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
            for (JsonNode t : p.path("targets")) {
                Matcher m = METRIC.matcher(t.path("expr").asText());
                while (m.find()) {
                    queried.add(m.group());
                }
            }
        }
        assertThat(panels).isGreaterThanOrEqualTo(15);
        for (String name : queried) {
            assertThat(exported.contains(name) || COMING.contains(name)).as("%s is exported by CoordinatorMetrics", name).isTrue();
        }
        assertThat(queried).containsAll(COMING).contains("flock_devices_online", "flock_round_accuracy", "flock_rounds_total",
                "flock_predictions_served_total", "flock_prediction_latency_seconds_bucket", "flock_serving_cache_lookups_total",
                "flock_model_versions");
    }
}
