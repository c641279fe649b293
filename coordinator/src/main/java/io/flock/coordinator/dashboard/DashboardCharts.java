package io.flock.coordinator.dashboard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The series the page's charts draw, laid out as uPlot takes them (one x array, each series aligned on it, null where a
 * series has no value). Built from a snapshot; embedded in the page as JSON and drawn by {@code dashboard.js}.
 *
 * @param rounds the rounds over their numbers: accuracy and participation
 * @param drift  one chart per drift statistic, in the order statistics first appear
 */
public record DashboardCharts(Rounds rounds, List<Drift> drift) {
    /** PSI above which a population is usually taken to have shifted; drawn as a line on every PSI chart. */
    public static final double PSI_ALARM = 0.2;
    /** The drift statistic whose value is a DDM level, not a PSI: its chart has no PSI line. */
    static final String ERROR_RATE = "error-rate";

    /**
     * @param round    round numbers, oldest first (the x axis)
     * @param accuracy held-out accuracy of each round's version, null when not scored
     * @param selected devices asked in each round
     * @param updates  updates aggregated in each round
     */
    public record Rounds(List<Long> round, List<Double> accuracy, List<Integer> selected, List<Integer> updates) {
    }

    /**
     * @param statistic what was compared with the reference
     * @param threshold the PSI alarm line, null for a statistic that is no PSI
     * @param time      window ends, Unix seconds, ascending (the x axis)
     * @param cohorts   the cohorts assessed on it, one series each
     * @param values    per cohort, its value at each window end, null where that window has none for the cohort
     * @param alarms    at each window end, the largest value of a cohort whose assessment raised an alarm, else null
     */
    public record Drift(String statistic, Double threshold, List<Long> time, List<String> cohorts, List<List<Double>> values,
                        List<Double> alarms) {
    }

    /** @return the charts of a snapshot */
    public static DashboardCharts of(DashboardSnapshot s) {
        return new DashboardCharts(rounds(s.rounds() == null ? List.of() : s.rounds()), drift(s.drift() == null ? List.of() : s.drift()));
    }

    private static Rounds rounds(List<DashboardSnapshot.RoundPoint> points) {
        List<Long> round = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        List<Integer> selected = new ArrayList<>();
        List<Integer> updates = new ArrayList<>();
        for (DashboardSnapshot.RoundPoint p : points) {
            round.add(p.round());
            accuracy.add(finite(p.accuracy()));
            selected.add(p.selected());
            updates.add(p.updates());
        }
        return new Rounds(round, accuracy, selected, updates);
    }

    private static List<Drift> drift(List<DashboardSnapshot.DriftPoint> points) {
        Map<String, List<DashboardSnapshot.DriftPoint>> byStatistic = new LinkedHashMap<>();
        for (DashboardSnapshot.DriftPoint p : points) {
            byStatistic.computeIfAbsent(p.statistic(), k -> new ArrayList<>()).add(p);
        }
        List<Drift> charts = new ArrayList<>();
        byStatistic.forEach((statistic, ps) -> charts.add(driftChart(statistic, ps)));
        return charts;
    }

    private static Drift driftChart(String statistic, List<DashboardSnapshot.DriftPoint> ps) {
        List<Long> time = new ArrayList<>(new TreeSet<>(ps.stream().map(p -> p.windowEndMs() / 1000).toList()));
        List<String> cohorts = ps.stream().map(DashboardSnapshot.DriftPoint::cohort).distinct().toList();
        List<List<Double>> values = new ArrayList<>();
        for (int c = 0; c < cohorts.size(); c++) {
            values.add(nulls(time.size()));
        }
        List<Double> alarms = nulls(time.size());
        Map<Long, Integer> index = new HashMap<>();
        for (int t = 0; t < time.size(); t++) {
            index.put(time.get(t), t);
        }
        for (DashboardSnapshot.DriftPoint p : ps) { // a later point of the same window and cohort replaces an earlier one
            int t = index.get(p.windowEndMs() / 1000);
            Double v = finite(p.value());
            values.get(cohorts.indexOf(p.cohort())).set(t, v);
            if (p.alarm() && v != null && (alarms.get(t) == null || v > alarms.get(t))) {
                alarms.set(t, v);
            }
        }
        return new Drift(statistic, ERROR_RATE.equals(statistic) ? null : PSI_ALARM, time, cohorts, values, alarms);
    }

    private static List<Double> nulls(int n) {
        List<Double> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(null);
        }
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
