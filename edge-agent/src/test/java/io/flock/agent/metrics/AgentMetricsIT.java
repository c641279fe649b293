package io.flock.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.api.LocalPredictionService;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.offload.Answer;
import io.flock.agent.offload.OffloadRouter;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent's {@code /metrics} over real HTTP: predictions through the local API (a real model whose
 * all-zero weights answer 1/3 for each of three classes; every other answer offloaded, the last offload
 * failing into a fallback), then one scrape parsed as the Prometheus text format.
 */
class AgentMetricsIT {
    private final LocalModel local = new LocalModel();
    private AgentMetrics metrics;

    @AfterEach
    void close() {
        if (metrics != null) {
            metrics.close();
        }
        local.close();
    }

    @Test
    void scrape_afterPredictions_countsBySourceLatencyAndReadings() throws Exception {
        local.swap("m", 5, "sha", ModelSpec.parse("mlp:4-3"), FeaturePipeline.PIXELS, new ModelParameters(List.of(
                new Tensor("01Linear_weight", new int[] {3, 4}, new float[12]), new Tensor("01Linear_bias", new int[] {3}, new float[3]))));
        AtomicInteger calls = new AtomicInteger();
        OffloadRouter router = new OffloadRouter("m", local, p -> calls.getAndIncrement() % 2 == 1, (model, raw, timeout) -> {
            if (raw[0] == 1) {
                throw new IllegalStateException("UNAVAILABLE");
            }
            return new Prediction(2, new float[] {0f, 0.1f, 0.9f}, "m", 7);
        }, Duration.ofMillis(100));
        metrics = new AgentMetrics(new AgentMetrics.Readings(router::count, local::version, () -> 2, () -> 1, () -> 4, () -> 3, () -> 5));
        LocalPredictionService api = new LocalPredictionService(router, metrics.latency(), new io.flock.agent.monitor.WindowStatistics(16));
        int port = metrics.serve(0, "d1");
        for (int i = 0; i < 6; i++) {
            api.predict(PredictRequest.newBuilder().addFeatures(i == 5 ? 1 : 0).addFeatures(0).addFeatures(0).addFeatures(0).build(),
                    new Ignore());
        }

        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> m = parse(r.body());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(m).containsEntry("flock_agent_predictions_total{source=\"local\"}", 3.0)
                .containsEntry("flock_agent_predictions_total{source=\"offloaded\"}", 2.0)
                .containsEntry("flock_agent_predictions_total{source=\"fallback\"}", 1.0)
                .containsEntry("flock_agent_prediction_latency_seconds_count", 6.0)
                .containsEntry("flock_agent_prediction_latency_seconds_bucket{le=\"+Inf\"}", 6.0)
                .containsEntry("flock_agent_model_version", 5.0)
                .containsEntry("flock_agent_rejections_total{kind=\"artifact\"}", 2.0)
                .containsEntry("flock_agent_rejections_total{kind=\"task\"}", 1.0)
                .containsEntry("flock_agent_updates_uploaded_total", 4.0)
                .containsEntry("flock_agent_outbox_pending", 3.0)
                .containsEntry("flock_agent_distilled_tasks_total", 5.0);
        assertThat(m.get("flock_agent_prediction_latency_seconds_sum")).isPositive()
                .isEqualTo(metrics.latency().totals().sumSeconds(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(router.count(Answer.Source.LOCAL)).isEqualTo(3);
    }

    @Test
    void serve_twiceAndClose_isIdempotent() throws Exception {
        metrics = new AgentMetrics(new AgentMetrics.Readings(s -> 0, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0));

        int port = metrics.serve(0, "d1");

        assertThat(metrics.serve(0, "d1")).isEqualTo(port);
        metrics.close();
        metrics.close();
        assertThat(metrics.port()).isEqualTo(-1);
    }

    /** Text format lines {@code name{labels} value}; comments skipped. */
    private static Map<String, Double> parse(String body) {
        Map<String, Double> values = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return values;
    }

    private static final class Ignore implements StreamObserver<PredictResponse> {
        @Override
        public void onNext(PredictResponse value) {
        }

        @Override
        public void onError(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void onCompleted() {
        }
    }
}
