package io.flock.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardChartsTest {
    @Test
    void roundsBecomeAlignedSeriesWithNullForAnUnscoredRound() {
        DashboardCharts.Rounds r = DashboardCharts.of(DashboardFixtures.busy()).rounds();
        assertThat(r.round()).hasSize(24).startsWith(1L, 2L).endsWith(24L);
        assertThat(r.accuracy()).hasSize(24);
        assertThat(r.accuracy().get(19)).isNull(); // round 20 failed
        assertThat(r.accuracy().get(23)).isCloseTo(0.91 - 0.29 * Math.exp(-4), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.updates().get(19)).isZero();
        assertThat(r.selected()).containsOnly(10);
    }

    @Test
    void driftIsOneChartPerStatisticWithASeriesPerCohortOnSharedWindows() {
        DashboardSnapshot.DriftPoint[] points = {
                new DashboardSnapshot.DriftPoint(60_000, "fleet", "psi-a", 0.05, 0.5, false),
                new DashboardSnapshot.DriftPoint(60_000, "canary", "psi-a", 0.25, 0.01, true),
                new DashboardSnapshot.DriftPoint(120_000, "fleet", "psi-a", 0.07, 0.4, false),
                new DashboardSnapshot.DriftPoint(120_000, "fleet", "error-rate", 1.5, Double.NaN, false),
                new DashboardSnapshot.DriftPoint(180_000, "canary", "psi-a", Double.NaN, Double.NaN, false)};
        DashboardSnapshot s = new DashboardSnapshot("m", 1, null, List.of(), null, Arrays.asList(points), List.of(), null);
        List<DashboardCharts.Drift> drift = DashboardCharts.of(s).drift();
        assertThat(drift).extracting(DashboardCharts.Drift::statistic).containsExactly("psi-a", "error-rate");
        DashboardCharts.Drift a = drift.get(0);
        assertThat(a.threshold()).isEqualTo(DashboardCharts.PSI_ALARM);
        assertThat(a.time()).containsExactly(60L, 120L, 180L);
        assertThat(a.cohorts()).containsExactly("fleet", "canary");
        assertThat(a.values().get(0)).containsExactly(0.05, 0.07, null);
        assertThat(a.values().get(1)).containsExactly(0.25, null, null);
        assertThat(a.alarms()).containsExactly(0.25, null, null);
        assertThat(drift.get(1).threshold()).isNull();
        assertThat(drift.get(1).values().get(0)).containsExactly(1.5);
    }

    @Test
    void chartJsonCannotCloseItsScriptElement() {
        DashboardSnapshot s = new DashboardSnapshot("m", 1, null, List.of(), null,
                List.of(new DashboardSnapshot.DriftPoint(1000, "a&b", "</script><!--", 0.1, 0.5, false)), List.of(), null);
        String json = DashboardJson.charts(DashboardCharts.of(s));
        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&")
                .contains("\"statistic\":\"\\u003c/script\\u003e\\u003c!--\"").contains("\"a\\u0026b\"");
    }
}
