package io.flock.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.metrics.MetricsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: headless Chromium loads the page from a running {@link MetricsServer}, runs its
 * scripts (uPlot from the jar) and shows the snapshot's values; the page refreshes itself from the server; a screenshot
 * is saved as {@code target/dashboard.png}. Needs Chromium: fails in CI without it, skipped elsewhere.
 */
class DashboardChromiumIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private HeadlessChromium chromium;

    @BeforeEach
    void browser() { // per test, so that each is reported skipped (with the reason) where there is no browser
        chromium = HeadlessChromium.require(TIMEOUT);
    }

    /** @return the text of the element with that id in a DOM dump */
    private static String byId(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\">([^<]*)<").matcher(dom);
        assertThat(m.find()).as("an element with id %s in the DOM", id).isTrue();
        return m.group(1);
    }

    @Test
    void thePageShowsTheSnapshotAndDrawsEveryChart() throws Exception {
        DashboardSnapshot snapshot = DashboardFixtures.busy();
        try (MetricsServer server = new MetricsServer("127.0.0.1", 0, new PrometheusRegistry(), () -> snapshot)) {
            String dom = chromium.dumpDom(URI.create("http://127.0.0.1:" + server.port() + "/")); // redirected to /dashboard

            int charts = 2 + DashboardFixtures.STATISTICS.size(); // accuracy, participation, one per drift statistic
            assertThat(dom).contains("data-charts=\"drawn\"").contains("data-chart-count=\"" + charts + "\"");
            assertThat(count(dom, "<div class=\"uplot")).isEqualTo(charts);
            assertThat(count(dom, "<canvas")).isGreaterThanOrEqualTo(charts);
            assertThat(dom).contains("PSI 0.2").contains(">alarm<"); // the drift charts' legends

            assertThat(byId(dom, "fleet-online")).isEqualTo("198");
            assertThat(byId(dom, "fleet-registered")).isEqualTo("240");
            assertThat(byId(dom, "fleet-production")).isEqualTo("v22");
            assertThat(byId(dom, "round-last")).isEqualTo("#24");
            assertThat(byId(dom, "round-accuracy")).isEqualTo("90.5 %");
            assertThat(byId(dom, "rollout-status")).isEqualTo("RUNNING");
            assertThat(byId(dom, "rollout-stage")).isEqualTo("stage 2 of 5");
            assertThat(byId(dom, "serving-p99")).isEqualTo("8.31 ms");
            assertThat(byId(dom, "serving-offload")).isEqualTo("12.7 %");
            assertThat(byId(dom, "drift-alarms")).isEqualTo("1");
            assertThat(dom).contains("<td>label-mix</td><td>canary</td><td>0.272</td>");
            // the hostile cohort label is text in a table cell, and no script of its own ran or was added
            assertThat(dom).contains("<th>&lt;script&gt;alert('x')&lt;/script&gt;</th>").doesNotContain("<script>alert");
        }
    }

    @Test
    void thePageRefreshesItselfFromTheServer() {
        AtomicInteger asked = new AtomicInteger();
        DashboardSnapshot first = DashboardFixtures.busy();
        try (MetricsServer server = new MetricsServer("127.0.0.1", 0, new PrometheusRegistry(), () -> {
            DashboardSnapshot.Fleet f = first.fleet();
            int online = f.online() + asked.getAndIncrement(); // one more device online at each look
            return new DashboardSnapshot(first.model(), first.generatedMs(), new DashboardSnapshot.Fleet(f.registered(), online,
                    f.productionVersion(), f.devicesPerVersion(), f.versionsPerCohort()), first.rounds(), first.rollout(), first.drift(),
                    first.events(), first.serving());
        })) {
            String dom = chromium.dumpDom(URI.create("http://127.0.0.1:" + server.port() + "/dashboard"),
                    Duration.ofMillis(DashboardPage.REFRESH_MS + 1500));
            assertThat(asked.get()).isGreaterThanOrEqualTo(2);
            assertThat(Integer.parseInt(byId(dom, "fleet-online"))).isGreaterThan(198);
            assertThat(dom).contains("data-charts=\"drawn\"").doesNotContain("refresh failed");
        }
    }

    @Test
    void aScreenshotShowsThePage() throws Exception {
        try (MetricsServer server = new MetricsServer("127.0.0.1", 0, new PrometheusRegistry(), DashboardFixtures::busy)) {
            Path png = Path.of("target", "dashboard.png");
            chromium.screenshot(URI.create("http://127.0.0.1:" + server.port() + "/dashboard"), png, 1400, 1800);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image.getWidth()).isEqualTo(1400);
            assertThat(image.getHeight()).isEqualTo(1800);
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < image.getHeight(); y += 7) {
                for (int x = 0; x < image.getWidth(); x += 7) {
                    colours.add(image.getRGB(x, y));
                }
            }
            assertThat(colours).as("distinct colours of a page with text and charts, not a blank one").hasSizeGreaterThan(40);
            assertThat(Files.size(png)).isGreaterThan(30_000);
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
