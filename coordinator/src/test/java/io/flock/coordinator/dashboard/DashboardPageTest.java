package io.flock.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DashboardPageTest {
    private static final String BUSY = DashboardPage.render(DashboardFixtures.busy());

    /** @return the text of the element with that id (markup-free values only) */
    private static String byId(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\">([^<]*)<").matcher(html);
        assertThat(m.find()).as("an element with id %s", id).isTrue();
        return m.group(1);
    }

    @Test
    void showsTheSnapshotsValuesInTheirElements() {
        assertThat(byId(BUSY, "model")).isEqualTo("fmnist-mlp");
        assertThat(byId(BUSY, "generated")).isEqualTo("snapshot 2026-12-07 12:00:00 UTC");
        assertThat(byId(BUSY, "fleet-registered")).isEqualTo("240");
        assertThat(byId(BUSY, "fleet-online")).isEqualTo("198");
        assertThat(byId(BUSY, "fleet-online-note")).isEqualTo("82.5 % of registered");
        assertThat(byId(BUSY, "fleet-production")).isEqualTo("v22");
        assertThat(byId(BUSY, "round-last")).isEqualTo("#24");
        assertThat(byId(BUSY, "round-last-note")).isEqualTo("CLOSED, v23");
        assertThat(byId(BUSY, "round-accuracy")).isEqualTo("90.5 %"); // 0.91 - 0.29 e^-4
        assertThat(byId(BUSY, "round-participation")).isEqualTo("8 / 10");
        assertThat(byId(BUSY, "rollout-id")).isEqualTo("#4");
        assertThat(byId(BUSY, "rollout-version")).isEqualTo("v23");
        assertThat(byId(BUSY, "rollout-status")).isEqualTo("RUNNING");
        assertThat(byId(BUSY, "rollout-stage")).isEqualTo("stage 2 of 5");
        assertThat(byId(BUSY, "rollout-stage-note")).isEqualTo("5 % of the fleet");
        assertThat(byId(BUSY, "rollout-canary")).isEqualTo("12");
        assertThat(byId(BUSY, "rollout-decision")).isEqualTo("stage 1 to 2: every gate passed over 1,240 canary predictions");
        assertThat(byId(BUSY, "serving-qps")).isEqualTo("42.7 /s");
        assertThat(byId(BUSY, "serving-p99")).isEqualTo("8.31 ms");
        assertThat(byId(BUSY, "serving-offload")).isEqualTo("12.7 %");
        assertThat(byId(BUSY, "serving-predictions")).isEqualTo("183,422");
        assertThat(byId(BUSY, "drift-alarms")).isEqualTo("1");
    }

    @Test
    void tablesCarryTheirRowsWithDataAttributes() {
        assertThat(BUSY).contains("<tr data-version=\"23\"><td>v23</td><td>12</td><td>6.1 %</td></tr>")
                .contains("<tr data-version=\"22\"><td>v22 <span class=\"tag\">production</span></td><td>180</td>")
                .contains("<tr data-version=\"0\"><td>none yet</td><td>1</td>");
        assertThat(BUSY).contains("<tr data-cohort=\"canary\"><th>canary</th><td data-version=\"23\">12</td>");
        assertThat(BUSY.indexOf("data-cohort=\"canary\"")).isLessThan(BUSY.indexOf("data-cohort=\"control\""));
        assertThat(BUSY).contains("data-gate=\"feedback-accuracy\" data-passed=\"true\" class=\"pass\"><td>feedback-accuracy</td>"
                + "<td>n/a</td><td>n/a</td><td>0.02</td><td>pass (too few samples (12 &lt; 50))</td>");
        assertThat(BUSY).contains("<tr data-statistic=\"label-mix\" data-cohort=\"canary\" data-alarm=\"true\" class=\"alarm\">"
                + "<td>label-mix</td><td>canary</td><td>0.272</td><td>0.001</td><td>2026-12-07 12:00:00 UTC</td><td>ALARM</td></tr>");
        assertThat(BUSY).contains("<tr data-round=\"20\" class=\"status-failed\"><td>#20</td><td>v19</td><td>FAILED</td><td>n/a</td><td>0 / 10</td>");
        assertThat(count(BUSY, "<tr data-round=")).isEqualTo(RoundsPanel.TABLE_ROWS);
        assertThat(count(BUSY, "<li data-kind=")).isEqualTo(5);
        assertThat(count(BUSY, "data-drift-chart=")).isEqualTo(DashboardFixtures.STATISTICS.size());
        assertThat(BUSY).contains("<li class=\"done\" data-stage=\"0\">1 %</li><li class=\"current\" data-stage=\"1\">5 %</li>");
    }

    @Test
    void escapesEverySuppliedText() {
        String evil = "\"><img src=x onerror=alert(1)>";
        DashboardSnapshot busy = DashboardFixtures.busy();
        DashboardSnapshot hostile = new DashboardSnapshot("</title><script>alert(0)</script>", busy.generatedMs(), busy.fleet(),
                busy.rounds(), new DashboardSnapshot.Rollout(5, 9, 8, "ROLLED_BACK", 0, List.of(0.5, 100.0), 3, 1, evil,
                List.of(new DashboardSnapshot.Gate(evil, 0.2, 0.1, 0.05, false, "</script>"))),
                List.of(new DashboardSnapshot.DriftPoint(1, DashboardFixtures.HOSTILE, "</script><script>alert(2)</script>", 0.5, 0.01, true)),
                List.of(new DashboardSnapshot.FleetEvent(1, evil, DashboardFixtures.HOSTILE)), busy.serving());
        String html = DashboardPage.render(hostile);
        assertThat(html).doesNotContain("<script>alert").doesNotContain("<img").doesNotContain("onerror=alert(1)>");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
        // only the page's own script elements close, the embedded JSON included
        assertThat(count(html, "</script>")).isEqualTo(3);
        assertThat(html).contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(2)");
        assertThat(html).contains("<tr data-gate=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\" data-passed=\"false\" class=\"fail\">");
        assertThat(byId(html, "rollout-status")).isEqualTo("ROLLED_BACK");
        assertThat(html).contains("class=\"card status-rolled-back\"");
    }

    @Test
    void rendersASnapshotWithNothingInIt() {
        String html = DashboardPage.render(DashboardFixtures.empty());
        assertThat(html).contains("id=\"rollout-none\"").contains("id=\"rounds-none\"").contains("id=\"drift-none\"")
                .contains("id=\"events-none\"").contains("id=\"fleet-versions-none\"").contains("id=\"fleet-cohorts-none\"")
                .doesNotContain("id=\"chart-accuracy\"").doesNotContain("data-drift-chart");
        assertThat(byId(html, "fleet-registered")).isEqualTo("0");
        assertThat(byId(html, "fleet-production")).isEqualTo("none");
        assertThat(byId(html, "serving-p99")).isEqualTo("n/a");
        assertThat(html).contains("{\"rounds\":{\"round\":[],\"accuracy\":[],\"selected\":[],\"updates\":[]},\"drift\":[]}");
        assertThat(html).endsWith("</html>\n");
    }

    @Test
    void rendersNullPartsAsMissing() {
        String html = DashboardPage.render(new DashboardSnapshot("m", 0, null, null, null, null, null, null));
        assertThat(html).contains("id=\"fleet-none\"").contains("id=\"serving-none\"").contains("id=\"rounds-none\"");
        assertThat(byId(html, "generated")).isEqualTo("snapshot n/a");
        String partial = DashboardPage.render(new DashboardSnapshot("m", 0, new DashboardSnapshot.Fleet(3, 1, 2, null, null),
                List.of(), null, List.of(), List.of(), null));
        assertThat(byId(partial, "fleet-online")).isEqualTo("1");
        assertThat(partial).contains("id=\"fleet-versions-none\"");
    }

    @Test
    void loadsItsScriptsAndStyleFromThisServerOnly() {
        assertThat(BUSY).contains("<script src=\"/static/uplot/uPlot.iife.min.js\"></script>")
                .contains("<script src=\"/static/dashboard.js\"></script>")
                .contains("<link rel=\"stylesheet\" href=\"/static/uplot/uPlot.min.css\">")
                .doesNotContain("http://").doesNotContain("https://").doesNotContain("src=\"//");
        assertThat(BUSY).contains("data-refresh-ms=\"5000\"").contains("<meta http-equiv=\"refresh\" content=\"5\">");
    }

    @Test
    void versionsPerCohortTableHasAColumnPerVersionSeen() {
        DashboardSnapshot s = new DashboardSnapshot("m", 1, new DashboardSnapshot.Fleet(5, 5, 2, Map.of(2L, 4, 1L, 1),
                Map.of("zone-b", Map.of(1L, 1), "zone-a", Map.of(2L, 4))), List.of(), null, List.of(), List.of(), null);
        String html = DashboardPage.render(s);
        assertThat(html).contains("<thead><tr><th>cohort</th><th>v2</th><th>v1</th></tr></thead>")
                .contains("<tr data-cohort=\"zone-a\"><th>zone-a</th><td data-version=\"2\">4</td><td data-version=\"1\"></td></tr>")
                .contains("<tr data-cohort=\"zone-b\"><th>zone-b</th><td data-version=\"2\"></td><td data-version=\"1\">1</td></tr>");
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
