package io.flock.simulator.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a run: {@code scenario}, {@code config}, {@code rounds} and {@code summary} as the
 * report contract asks, plus named extra sections. Written as {@code report.json}.
 */
public final class RunReport {
    private final String scenario;
    private final Map<String, Object> config;
    private final List<RoundRow> rounds = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final Map<String, Object> selection = new LinkedHashMap<>();

    /**
     * @param scenario name of what ran
     * @param config   every resolved knob
     */
    public RunReport(String scenario, Map<String, ?> config) {
        this.scenario = scenario;
        this.config = new LinkedHashMap<>(config);
    }

    /** Appends a round. */
    public void add(RoundRow row) {
        rounds.add(row);
    }

    /** Records which devices a round selected (the report's {@code selection} block). */
    public void selection(long round, List<String> devices) {
        selection.put(String.valueOf(round), List.copyOf(devices));
    }

    /** @return round number to selected devices */
    public Map<String, Object> selection() {
        return selection;
    }

    /** Adds an extra top-level section (e.g. "artifacts", "predictions"). */
    public void section(String name, Object value) {
        extra.put(name, value);
    }

    /** @return an extra section added with {@link #section(String, Object)}, or null */
    public Object section(String name) {
        return extra.get(name);
    }

    /** @return the rounds so far */
    public List<RoundRow> rounds() {
        return rounds;
    }

    /** @return the summary block computed from the rounds */
    public Map<String, Object> summary(double totalSeconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        int n = rounds.size();
        s.put("finalAccuracy", n == 0 ? Double.NaN : rounds.get(n - 1).accuracy());
        s.put("meanAccuracyLast5", rounds.subList(Math.max(0, n - 5), n).stream().mapToDouble(RoundRow::accuracy).average().orElse(Double.NaN));
        s.put("medianRoundSeconds", SampleStats.of(rounds.stream().mapToDouble(RoundRow::seconds).toArray()).median());
        s.put("totalSeconds", totalSeconds);
        s.put("bytesTotal", rounds.stream().mapToLong(r -> r.bytesDown() + r.bytesUp()).sum());
        s.put("peakRssBytes", ProcessMemory.peakRssBytes());
        if (n > 0 && Double.isFinite(rounds.get(n - 1).epsilon())) {
            s.put("finalEpsilon", rounds.get(n - 1).epsilon());
        }
        return s;
    }

    /** Writes {@code dir/report.json}. */
    public Path write(Path dir, double totalSeconds) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("scenario", scenario);
        root.put("config", config);
        root.put("rounds", rounds);
        root.put("summary", summary(totalSeconds));
        root.putAll(extra);
        if (!selection.isEmpty()) {
            root.put("selection", selection);
        }
        Path file = dir.resolve("report.json");
        ReportJson.write(file, root);
        return file;
    }

    /** @return per-round accuracies, for plots */
    public double[] accuracies() {
        return rounds.stream().mapToDouble(RoundRow::accuracy).toArray();
    }

    @Override
    public String toString() {
        return scenario + " " + Arrays.toString(accuracies());
    }
}
