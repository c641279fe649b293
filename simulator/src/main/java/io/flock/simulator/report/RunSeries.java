package io.flock.simulator.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Several measured runs of one scenario under different run seeds, and how they compare: {@code runs.json} (each
 * run's seed and summary, then the median, min and max of each number over the runs), {@code runs-accuracy.png}
 * (every run's accuracy curve) and a table on the console. A result over several seeds is how a number that one
 * seed cannot settle (the accuracy of a noisy non-IID curve) is stated.
 */
public final class RunSeries {
    /** Summary numbers computed from training rounds, left out of runs without any. */
    private static final List<String> ROUND_NUMBERS = List.of("finalAccuracy", "meanAccuracyLast5", "medianRoundSeconds", "bytesTotal");

    private final String scenario;
    private final List<Long> seeds = new ArrayList<>();
    private final List<RunReport> reports = new ArrayList<>();
    private final List<Map<String, Object>> summaries = new ArrayList<>();

    /** @param scenario name of what ran */
    public RunSeries(String scenario) {
        this.scenario = scenario;
    }

    /** Adds a finished run. */
    public void add(long seed, RunReport report, double totalSeconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("run", reports.size() + 1);
        s.put("seed", seed);
        s.putAll(report.summary(totalSeconds));
        if (report.rounds().isEmpty()) {
            ROUND_NUMBERS.forEach(s::remove); // a push-only run has no rounds: its bytes are the push's, not a total of none
        }
        Object push = report.section("push");
        if (push instanceof Map<?, ?> p && p.get("seconds") instanceof Double seconds) {
            s.put("pushSeconds", seconds);
            if (p.get("bytesDown") instanceof Long bytes) {
                s.put("pushBytesDown", bytes);
            }
        }
        if (report.section("broker") instanceof Map<?, ?> broker && broker.get("peakRssBytes") instanceof Long peak) {
            s.put("brokerPeakRssBytes", peak);
        }
        if (report.section("cpu") instanceof Map<?, ?> cpu) {
            if (cpu.get("secondsPerRound") instanceof Double perRound) {
                s.put("cpuSecondsPerRound", perRound);
            }
            if (cpu.get("jitSeconds") instanceof Double jit) {
                s.put("jitSeconds", jit);
            }
        }
        seeds.add(seed);
        reports.add(report);
        summaries.add(s);
    }

    /** @return the runs' reports, in order */
    public List<RunReport> reports() {
        return List.copyOf(reports);
    }

    /** @return per number of the runs' summaries, its median, min and max over the runs (NaN runs left out) */
    public Map<String, SampleStats> stats() {
        Map<String, SampleStats> out = new LinkedHashMap<>();
        for (String key : summaries.isEmpty() ? List.<String>of() : summaries.get(0).keySet()) {
            if (key.equals("run") || key.equals("seed")) {
                continue;
            }
            double[] v = summaries.stream().map(s -> s.get(key)).filter(Number.class::isInstance)
                    .mapToDouble(n -> ((Number) n).doubleValue()).filter(d -> !Double.isNaN(d)).toArray();
            out.put(key, SampleStats.of(v));
        }
        return out;
    }

    /** Writes {@code dir/runs.json} and, for training runs, {@code dir/runs-accuracy.png}; prints the comparison. */
    public void write(Path dir, PrintStream out) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("scenario", scenario);
        root.put("runs", summaries);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats().forEach((k, v) -> stats.put(k, Map.of("median", v.median(), "min", v.min(), "max", v.max())));
        root.put("stats", stats);
        ReportJson.write(dir.resolve("runs.json"), root);
        boolean training = reports.stream().anyMatch(r -> !r.rounds().isEmpty());
        if (training) {
            accuracyCurves(dir.resolve("runs-accuracy.png"));
        }
        print(out, training);
    }

    private void print(PrintStream out, boolean training) {
        out.printf("%n%d runs of %s%n", reports.size(), scenario);
        out.println(training ? "  run   seed  last-5 acc  final acc  median round  CPU-s/round  JIT s  total s  MB moved"
                : "  run   seed  push s  JIT s  total s  broker peak RSS");
        for (Map<String, Object> s : summaries) {
            if (training) {
                out.printf("  %3d  %5d  %10.4f  %9.4f  %10.3f s  %11.3f  %5.1f  %7.1f  %8.1f%n", (int) s.get("run"), (long) s.get("seed"),
                        num(s, "meanAccuracyLast5"), num(s, "finalAccuracy"), num(s, "medianRoundSeconds"), num(s, "cpuSecondsPerRound"),
                        num(s, "jitSeconds"), num(s, "totalSeconds"), Megabytes.of(num(s, "bytesTotal")));
            } else {
                double broker = num(s, "brokerPeakRssBytes");
                out.printf("  %3d  %5d  %6.3f  %5.1f  %7.1f  %s%n", (int) s.get("run"), (long) s.get("seed"), num(s, "pushSeconds"),
                        num(s, "jitSeconds"), num(s, "totalSeconds"),
                        Double.isNaN(broker) ? "in-process" : String.format("%.0f MB", Megabytes.of(broker)));
            }
        }
        Map<String, SampleStats> st = stats();
        if (training) {
            out.printf("median (min-max) over %d runs: last-5 accuracy %s | median round %s s | CPU per round %s s%n", reports.size(),
                    range(st.get("meanAccuracyLast5"), "%.4f"), range(st.get("medianRoundSeconds"), "%.3f"),
                    range(st.get("cpuSecondsPerRound"), "%.3f"));
        } else {
            SampleStats b = st.get("brokerPeakRssBytes");
            out.printf("median (min-max) over %d runs: push %s s%s%n", reports.size(), range(st.get("pushSeconds"), "%.3f"), b == null ? ""
                    : " | broker peak RSS " + range(new SampleStats(Megabytes.of(b.median()), Megabytes.of(b.min()), Megabytes.of(b.max())),
                    "%.0f") + " MB");
        }
    }

    private static double num(Map<String, Object> s, String key) {
        return s.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String range(SampleStats s, String format) {
        return s == null ? "n/a" : String.format(format + " (" + format + "-" + format + ")", s.median(), s.min(), s.max());
    }

    private void accuracyCurves(Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(scenario + ": test accuracy per round, " + reports.size()
                + " runs").xAxisTitle("round").yAxisTitle("test accuracy").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setChartBackgroundColor(java.awt.Color.WHITE);
        for (int i = 0; i < reports.size(); i++) {
            List<RoundRow> rows = reports.get(i).rounds();
            if (rows.isEmpty()) {
                continue;
            }
            chart.addSeries("seed " + seeds.get(i), rows.stream().mapToDouble(RoundRow::round).toArray(), reports.get(i).accuracies())
                    .setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
