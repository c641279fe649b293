package io.flock.coordinator.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots for the dashboard's tests: a busy fleet mid-rollout (24 rounds, a running rollout with its gates, drift on
 * four statistics in two cohorts with a label-mix alarm in the canary, events, serving) with one hostile cohort label, and an empty
 * one (no rounds, no rollout, nothing reported).
 */
public final class DashboardFixtures {
    /** A cohort label as a device might supply it, to be shown as text, never run. */
    public static final String HOSTILE = "<script>alert('x')</script>";
    /** When the busy snapshot was taken. */
    public static final long AT = Instant.parse("2026-12-07T12:00:00Z").toEpochMilli();
    /** Drift statistics in the busy snapshot. */
    public static final List<String> STATISTICS = List.of("pixel-mean", "label-mix", "confidence", "error-rate");
    private static final long WINDOW_MS = 10 * 60_000;

    private DashboardFixtures() {
    }

    /** @return a fleet of 240 devices mid-rollout of v23 over v22 */
    public static DashboardSnapshot busy() {
        Map<Long, Integer> perVersion = new LinkedHashMap<>();
        perVersion.put(22L, 180);
        perVersion.put(23L, 12);
        perVersion.put(21L, 5);
        perVersion.put(0L, 1);
        Map<String, Map<Long, Integer>> perCohort = new LinkedHashMap<>();
        perCohort.put("control", Map.of(22L, 36));
        perCohort.put("canary", Map.of(23L, 12));
        perCohort.put("region=eu-west", Map.of(22L, 90, 21L, 3));
        perCohort.put(HOSTILE, Map.of(22L, 1));
        DashboardSnapshot.Fleet fleet = new DashboardSnapshot.Fleet(240, 198, 22, perVersion, perCohort);
        DashboardSnapshot.Rollout rollout = new DashboardSnapshot.Rollout(4, 23, 22, "RUNNING", 1, List.of(1.0, 5.0, 25.0, 50.0, 100.0),
                12, AT - 25 * 60_000, "stage 1 to 2: every gate passed over 1,240 canary predictions", List.of(
                new DashboardSnapshot.Gate("error-rate", 0.031, 0.029, 0.01, true, ""),
                new DashboardSnapshot.Gate("offload-rate", 0.118, 0.127, 0.05, true, ""),
                new DashboardSnapshot.Gate("mean-confidence", 0.884, 0.879, 0.02, true, ""),
                new DashboardSnapshot.Gate("latency-ms", 4.1, 3.9, 2.0, true, ""),
                new DashboardSnapshot.Gate("feedback-accuracy", Double.NaN, Double.NaN, 0.02, true, "too few samples (12 < 50)")));
        List<DashboardSnapshot.FleetEvent> events = List.of(
                new DashboardSnapshot.FleetEvent(AT - 60_000, "drift", "label-mix PSI 0.27 in canary over 0.2: alarm"),
                new DashboardSnapshot.FleetEvent(AT - 25 * 60_000, "rollout", "rollout 4 of v23: stage 1 (5 %), 12 devices"),
                new DashboardSnapshot.FleetEvent(AT - 26 * 60_000, "gate", "every gate passed; advancing to stage 1"),
                new DashboardSnapshot.FleetEvent(AT - 90 * 60_000, "trigger", "retraining triggered: drift on label-mix"),
                new DashboardSnapshot.FleetEvent(AT - 120 * 60_000, "rollback", "rollout 3 of v21 rolled back: error-rate gate failed"));
        return new DashboardSnapshot("fmnist-mlp", AT, fleet, rounds(), rollout, drift(), events,
                new DashboardSnapshot.Serving(42.7, 8.31, 0.127, 183_422));
    }

    /** @return a coordinator that has seen nothing yet: no rounds, no rollout, no drift, no events */
    public static DashboardSnapshot empty() {
        return new DashboardSnapshot("fresh-model", AT, new DashboardSnapshot.Fleet(0, 0, 0, Map.of(), Map.of()), List.of(), null,
                List.of(), List.of(), new DashboardSnapshot.Serving(0, Double.NaN, Double.NaN, 0));
    }

    /**
     * Rounds 1 to 24: accuracy rising from 0.66 towards 0.91, round 20 failed (no update; its version is its base), 8 to
     * 10 of 10 devices aggregated; each other round publishes the next version, so round 24 made v23.
     */
    static List<DashboardSnapshot.RoundPoint> rounds() {
        List<DashboardSnapshot.RoundPoint> rounds = new ArrayList<>();
        long version = 0;
        for (int r = 1; r <= 24; r++) {
            boolean failed = r == 20;
            version += failed ? 0 : 1;
            double accuracy = failed ? Double.NaN : 0.91 - 0.29 * Math.exp(-r / 6.0);
            rounds.add(new DashboardSnapshot.RoundPoint(r, version, accuracy, 10, failed ? 0 : 8 + r % 3,
                    AT - (24 - r) * 15 * 60_000L, failed ? "FAILED" : "CLOSED"));
        }
        return rounds;
    }

    /** 12 windows of each statistic in "fleet" and "canary"; the canary's label mix climbs to 0.272, over 0.2 in the last 4. */
    static List<DashboardSnapshot.DriftPoint> drift() {
        List<DashboardSnapshot.DriftPoint> points = new ArrayList<>();
        for (int w = 0; w < 12; w++) {
            long end = AT - (11 - w) * WINDOW_MS;
            for (String statistic : STATISTICS) {
                for (String cohort : List.of("fleet", "canary")) {
                    double base = 0.03 + 0.01 * (w % 4);
                    double value = statistic.equals("label-mix") && cohort.equals("canary") ? 0.03 + 0.022 * w : base;
                    boolean alarm = statistic.equals("label-mix") && cohort.equals("canary") && value > 0.2;
                    points.add(new DashboardSnapshot.DriftPoint(end, cohort, statistic, value,
                            statistic.equals("error-rate") ? Double.NaN : alarm ? 0.001 : 0.4, alarm));
                }
            }
        }
        return points;
    }
}
