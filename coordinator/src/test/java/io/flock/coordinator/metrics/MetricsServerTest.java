package io.flock.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.dashboard.DashboardFixtures;
import io.flock.coordinator.dashboard.DashboardJson;
import io.flock.coordinator.dashboard.DashboardSnapshot;
import io.flock.core.FlockException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicInteger snapshots = new AtomicInteger();
    private MetricsServer server;

    @BeforeEach
    void start() {
        Counter.builder().name("flock_test_rounds_total").help("rounds in this test").labelNames("model").register(registry)
                .labelValues("m").inc(3);
        Counter.builder().name("flock_test_other_total").help("another counter").register(registry).inc();
        Supplier<DashboardSnapshot> dashboard = () -> {
            snapshots.incrementAndGet();
            return DashboardFixtures.busy();
        };
        server = new MetricsServer("127.0.0.1", 0, registry, dashboard);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreThePrometheusTextOfTheRegistry() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("# TYPE flock_test_rounds_total counter").contains("flock_test_rounds_total{model=\"m\"} 3.0")
                .contains("flock_test_other_total 1.0").doesNotContain("# EOF");
    }

    @Test
    void metricsSpeakOpenMetricsWhenAskedAndFilterByName() throws Exception {
        HttpResponse<String> r = get("/metrics?name[]=flock_test_rounds", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(r.body()).contains("flock_test_rounds_total{model=\"m\"} 3.0").doesNotContain("flock_test_other").endsWith("# EOF\n");
        HttpResponse<String> proto = get("/metrics", "Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,text/plain;q=0.5");
        assertThat(proto.statusCode()).isEqualTo(200); // no protobuf runtime here: text instead
        assertThat(proto.body()).contains("flock_test_other_total 1.0");
    }

    @Test
    void dashboardApiIsTheSnapshotAsJson() throws Exception {
        HttpResponse<String> r = get("/api/dashboard");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(r.body()).contains("\"online\":198").contains("\"accuracy\":\"NaN\"");
        assertThat(DashboardJson.readSnapshot(r.body().getBytes(StandardCharsets.UTF_8))).isEqualTo(DashboardFixtures.busy());
    }

    @Test
    void dashboardPageIsHtmlWithAPolicyAndItsAssetsAreServed() throws Exception {
        HttpResponse<String> page = get("/dashboard");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy")).hasValue(MetricsRoutes.CONTENT_SECURITY_POLICY);
        assertThat(page.body()).contains("id=\"fleet-online\">198<").contains("id=\"serving-p99\">8.31 ms<");
        assertThat(snapshots.get()).isEqualTo(1);
        HttpResponse<String> uplot = get("/static/uplot/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(uplot.body()).contains("uPlot").hasSizeGreaterThan(40_000);
        assertThat(get("/static/uplot/uPlot.min.css").body()).contains(".uplot");
        assertThat(get("/static/dashboard.js").body()).contains("data-charts").contains("new uPlot(");
    }

    @Test
    void rootRedirectsToTheDashboard() throws Exception {
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("location")).hasValue("/dashboard");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        HttpResponse<String> missing = get("/nothing/here");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(missing.body()).startsWith("no such path /nothing/here;").contains("/metrics, /dashboard and /api/dashboard");
        assertThat(get("/static/../../io/flock/coordinator/metrics/MetricsServer.class").statusCode()).isEqualTo(404);
        assertThat(get("/static/META-INF/maven/org.webjars.npm/uplot/pom.properties").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        assertThat(post.body()).contains("method POST not allowed on /metrics");
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/dashboard"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(snapshots.get()).isZero();
    }

    @Test
    void aFailingSnapshotIs500WithItsReasonAndTheServerGoesOn() throws Exception {
        try (MetricsServer failing = new MetricsServer("127.0.0.1", 0, registry, () -> {
            throw new IllegalStateException("store closed");
        })) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + failing.port() + "/dashboard"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).isEqualTo("could not answer GET /dashboard: store closed\n");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + failing.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutADashboardOnlyMetricsAreServed() throws Exception {
        try (MetricsServer plain = new MetricsServer("127.0.0.1", 0, registry)) {
            for (String path : new String[] {"/dashboard", "/api/dashboard", "/", "/static/dashboard.js"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(404);
                assertThat(r.body()).as(path).startsWith("no dashboard on this server");
            }
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("flock_test_rounds_total");
        }
    }

    @Test
    void aTakenPortIsAFlockExceptionAndCloseIsQuickAndIdempotent() throws IOException {
        assertThatThrownBy(() -> new MetricsServer("127.0.0.1", server.port(), registry))
                .isInstanceOf(FlockException.class).hasMessageStartingWith("cannot serve metrics on 127.0.0.1:" + server.port());
        int port = server.port();
        try (Socket idle = new Socket("127.0.0.1", port)) { // an open keep-alive connection does not hold close up
            long start = System.nanoTime();
            server.close();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    }
}
