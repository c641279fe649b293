package io.flock.coordinator.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The fleet dashboard as one server-rendered HTML page: fleet, rounds, rollout and its gates, drift, serving and the
 * newest events, each key value in an element with a stable id ({@code fleet-online}, {@code rollout-status},
 * {@code serving-p99}, ...) and each table row with data attributes naming what it shows. Every text from the snapshot
 * is HTML-escaped. The charts (accuracy and participation per round, drift per statistic over time) are embedded as
 * JSON and drawn by the bundled {@code /static/dashboard.js} with uPlot from the jar; the page fetches itself again
 * every {@link #REFRESH_MS} ms (a meta refresh without JavaScript). Nothing is loaded from another host.
 */
public final class DashboardPage {
    /** How often the page reloads its data, ms. */
    public static final int REFRESH_MS = 5000;
    private static final String CSS = resource("dashboard.css");

    private DashboardPage() {
    }

    /**
     * @param snapshot what to show; null lists and maps show as empty
     * @return the page, a complete HTML document
     */
    public static String render(DashboardSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        List<DashboardSnapshot.RoundPoint> rounds = snapshot.rounds() == null ? List.of() : snapshot.rounds();
        List<DashboardSnapshot.DriftPoint> drift = snapshot.drift() == null ? List.of() : snapshot.drift();
        DashboardCharts charts = DashboardCharts.of(snapshot);
        Markup m = new Markup();
        m.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .raw("<title>Flock fleet: ").text(snapshot.model()).raw("</title>")
                .raw("<noscript><meta http-equiv=\"refresh\" content=\"" + REFRESH_MS / 1000 + "\"></noscript>")
                .raw("<link rel=\"stylesheet\" href=\"" + DashboardAssets.UPLOT_CSS + "\">")
                .raw("<style>").raw(CSS).raw("</style></head>")
                .raw("<body data-charts=\"pending\" data-refresh-ms=\"" + REFRESH_MS + "\">");
        m.raw("<main id=\"dashboard\"").attr("data-generated-ms", Long.toString(snapshot.generatedMs())).raw(">");
        m.raw("<header><h1>Flock fleet</h1><span class=\"model\" id=\"model\">").text(snapshot.model()).raw("</span>")
                .raw("<span class=\"generated\" id=\"generated\">snapshot ").text(Format.instant(snapshot.generatedMs())).raw("</span>")
                .raw("<span class=\"refresh\" id=\"refresh-state\">refreshes every " + REFRESH_MS / 1000 + " s</span></header>");
        m.raw("<div class=\"columns\"><div class=\"column\">"); // side by side on a wide screen, one under the other else
        FleetPanel.write(m, snapshot.fleet());
        RoundsPanel.write(m, rounds);
        m.raw("</div><div class=\"column\">");
        serving(m, snapshot.serving());
        RolloutPanel.write(m, snapshot.rollout());
        events(m, snapshot.events() == null ? List.of() : snapshot.events());
        m.raw("</div></div>");
        DriftPanel.write(m, drift, charts);
        m.raw("<script type=\"application/json\" id=\"dashboard-charts\">").raw(DashboardJson.charts(charts)).raw("</script></main>");
        m.raw("<script src=\"" + DashboardAssets.UPLOT_JS + "\"></script>")
                .raw("<script src=\"" + DashboardAssets.DASHBOARD_JS + "\"></script></body></html>\n");
        return m.toString();
    }

    private static void serving(Markup m, DashboardSnapshot.Serving s) {
        m.raw("<section class=\"panel\" id=\"serving\"><h2>Serving</h2>");
        if (s == null) {
            m.empty("serving-none", "no serving data in this snapshot").raw("</section>");
            return;
        }
        m.raw("<div class=\"cards\">")
                .card("serving-qps", "QPS", Format.perSecond(s.qps()), "offloaded predictions, last minute")
                .card("serving-p99", "p99 latency", Format.millis(s.p99Ms()), "answer time")
                .card("serving-offload", "offload rate", Format.percent(s.offloadRate()), "of the fleet's predictions")
                .card("serving-predictions", "answered", Format.count(s.predictions()), "since start")
                .raw("</div></section>");
    }

    private static void events(Markup m, List<DashboardSnapshot.FleetEvent> events) {
        m.raw("<section class=\"panel\" id=\"events\"><h2>Events</h2>");
        if (events.isEmpty()) {
            m.empty("events-none", "no fleet event yet").raw("</section>");
            return;
        }
        m.raw("<ol class=\"events\" id=\"events-list\">");
        for (DashboardSnapshot.FleetEvent e : events) {
            m.raw("<li").attr("data-kind", e.kind()).raw("><time>").text(Format.instant(e.atMs())).raw("</time><span")
                    .attr("class", "kind kind-" + Markup.cssName(e.kind())).raw(">").text(e.kind()).raw("</span><span class=\"detail\">")
                    .text(e.detail()).raw("</span></li>");
        }
        m.raw("</ol></section>");
    }

    private static String resource(String name) {
        try (InputStream in = DashboardPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard resource " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
