package io.flock.coordinator.metrics;

import io.flock.coordinator.dashboard.DashboardAssets;
import io.flock.coordinator.dashboard.DashboardJson;
import io.flock.coordinator.dashboard.DashboardPage;
import io.flock.coordinator.dashboard.DashboardSnapshot;
import io.flock.coordinator.intake.FieldLimits;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** What {@link MetricsServer} answers to each request: one response per path, built whole. Thread-safe. */
final class MetricsRoutes {
    /** What the page may load: scripts, styles and data from this server only (styles also inline, as uPlot sets). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PATHS = "this server has /metrics, /dashboard and /api/dashboard";
    private final PrometheusRegistry registry;
    private final Supplier<DashboardSnapshot> dashboard;
    private final ExpositionFormats formats = ExpositionFormats.init();

    /** @param dashboard null for a server without a dashboard */
    MetricsRoutes(PrometheusRegistry registry, Supplier<DashboardSnapshot> dashboard) {
        this.registry = registry;
        this.dashboard = dashboard;
    }

    /**
     * @return the answer to a well-formed request
     * @throws RuntimeException when the registry's scrape or the dashboard's snapshot fails (the caller answers 500)
     */
    FullHttpResponse answer(HttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        boolean known = path.equals("/") || path.equals("/metrics") || path.equals("/dashboard") || path.equals("/api/dashboard")
                || DashboardAssets.at(path).isPresent();
        if (!known) {
            return text(HttpResponseStatus.NOT_FOUND, "no such path " + FieldLimits.echo(path) + "; " + PATHS + "\n");
        }
        if (!HttpMethod.GET.equals(request.method())) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + FieldLimits.echo(request.method().name())
                    + " not allowed on " + path + "; this server is read-only and takes GET only\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            return r;
        }
        if (path.equals("/metrics")) {
            return metrics(request.headers().get(HttpHeaderNames.ACCEPT), uri.parameters().get("name[]"));
        }
        if (dashboard == null) {
            return text(HttpResponseStatus.NOT_FOUND, "no dashboard on this server; /metrics serves the Prometheus metrics\n");
        }
        return switch (path) {
            case "/" -> redirect("/dashboard");
            case "/dashboard" -> page(DashboardPage.render(snapshot()));
            case "/api/dashboard" -> body(HttpResponseStatus.OK, "application/json", DashboardJson.snapshot(snapshot()), false);
            default -> {
                DashboardAssets.Asset asset = DashboardAssets.at(path).orElseThrow();
                FullHttpResponse r = body(HttpResponseStatus.OK, asset.contentType(), asset.bytes(), true);
                r.headers().set(HttpHeaderNames.CACHE_CONTROL, "max-age=300");
                yield r;
            }
        };
    }

    private DashboardSnapshot snapshot() {
        DashboardSnapshot s = dashboard.get();
        if (s == null) {
            throw new IllegalStateException("the dashboard supplier returned no snapshot");
        }
        return s;
    }

    private FullHttpResponse metrics(String accept, List<String> names) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) { // protobuf asked for, without its runtime on the classpath: text instead
            writer = formats.getOpenMetricsTextFormatWriter().accepts(accept) ? formats.getOpenMetricsTextFormatWriter()
                    : formats.getPrometheusTextFormatWriter();
        }
        Set<String> only = names == null ? null : new HashSet<>(names);
        MetricSnapshots snapshots = only == null ? registry.scrape() : registry.scrape(only::contains);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, snapshots, EscapingScheme.fromAcceptHeader(accept));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body(HttpResponseStatus.OK, writer.getContentType(), out.toByteArray(), false);
    }

    private static FullHttpResponse page(String html) {
        FullHttpResponse r = body(HttpResponseStatus.OK, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), false);
        r.headers().set("Content-Security-Policy", CONTENT_SECURITY_POLICY).set("Referrer-Policy", "no-referrer");
        return r;
    }

    private static FullHttpResponse redirect(String to) {
        FullHttpResponse r = text(HttpResponseStatus.FOUND, "see " + to + "\n");
        r.headers().set(HttpHeaderNames.LOCATION, to);
        return r;
    }

    /** @return a plain-text answer, never cached */
    static FullHttpResponse text(HttpResponseStatus status, String message) {
        return body(status, TEXT, message.getBytes(StandardCharsets.UTF_8), false);
    }

    private static FullHttpResponse body(HttpResponseStatus status, String contentType, byte[] bytes, boolean cacheable) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set("X-Content-Type-Options", "nosniff");
        if (!cacheable) {
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        return r;
    }
}
