package io.flock.simulator.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.core.InvalidInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code bin/flock compare}: a candidate series of runs against a baseline series, paired by run seed. Two series
 * run with the same seeds share device selections, initial models and local shuffles, so the difference of a seed's
 * two runs is what the candidate changed, without the seed-to-seed spread that a difference of two medians carries
 * (W1's last-5 accuracy moves by 6 points between seeds). Seeds that only one series ran are left out. Accuracies
 * repeat from one invocation to the next, so for them the two series may come from different invocations; times do
 * not, so time comparisons belong to series run side by side (BENCHMARKS.md: interleaved).
 */
public final class RunComparison {
    /** The per-run numbers compared (keys of a run in runs.json), in print order. */
    private static final List<Metric> METRICS = List.of(new Metric("meanAccuracyLast5", 1, 4, ""),
            new Metric("finalAccuracy", 1, 4, ""), new Metric("medianRoundSeconds", 1, 3, "s"),
            new Metric("cpuSecondsPerRound", 1, 3, "CPU-s"), new Metric("pushSeconds", 1, 3, "s"),
            new Metric("pushBytesDown", 1e-6, 1, "MB"),
            new Metric("bytesTotal", 1e-6, 1, "MB"), new Metric("peakRssBytes", 1e-6, 1, "MB"),
            new Metric("brokerPeakRssBytes", 1e-6, 1, "MB"));

    /** A number of runs.json's runs, printed times {@code factor} with {@code decimals} in {@code unit}. */
    private record Metric(String key, double factor, int decimals, String unit) {
    }

    private final String baseline;
    private final String candidate;
    private final List<Long> seeds;
    private final Map<String, Paired> paired;

    /**
     * One number over the paired seeds.
     *
     * @param baseline   the baseline's values, in seed order
     * @param candidate  the candidate's values, same seeds
     * @param difference candidate minus baseline per seed: median, min and max
     * @param meanDifference mean of those differences
     */
    public record Paired(double[] baseline, double[] candidate, SampleStats difference, double meanDifference) {
    }

    private RunComparison(String baseline, String candidate, List<Long> seeds, Map<String, Paired> paired) {
        this.baseline = baseline;
        this.candidate = candidate;
        this.seeds = seeds;
        this.paired = paired;
    }

    /**
     * Reads two series.
     *
     * @param baselineRuns  a {@code runs.json}, or the directory holding one
     * @param candidateRuns the same for the candidate
     * @throws InvalidInputException when a file is missing, is not a runs.json, or the series share no seed
     */
    public static RunComparison of(Path baselineRuns, Path candidateRuns) {
        JsonNode base = read(baselineRuns);
        JsonNode cand = read(candidateRuns);
        Map<Long, JsonNode> b = bySeed(base, baselineRuns);
        Map<Long, JsonNode> c = bySeed(cand, candidateRuns);
        List<Long> seeds = b.keySet().stream().filter(c::containsKey).toList();
        if (seeds.isEmpty()) {
            throw new InvalidInputException("the series share no run seed: baseline " + b.keySet() + ", candidate " + c.keySet());
        }
        Map<String, Paired> paired = new LinkedHashMap<>();
        for (String metric : METRICS.stream().map(Metric::key).toList()) {
            List<double[]> pairs = new ArrayList<>();
            for (long seed : seeds) {
                double x = number(b.get(seed), metric);
                double y = number(c.get(seed), metric);
                if (Double.isFinite(x) && Double.isFinite(y)) {
                    pairs.add(new double[] {x, y});
                }
            }
            if (pairs.size() == seeds.size()) {
                paired.put(metric, pair(pairs));
            }
        }
        return new RunComparison(base.path("scenario").asText("?"), cand.path("scenario").asText("?"), seeds, paired);
    }

    /** @return the seeds both series ran, ascending */
    public List<Long> seeds() {
        return seeds;
    }

    /** @return per number that every paired run has (last-5 accuracy, median round, ...), the comparison */
    public Map<String, Paired> paired() {
        return paired;
    }

    /** Writes {@code file} as JSON: the two scenarios, the seeds, and per number each side's median and the differences. */
    public void write(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("baseline", baseline);
        root.put("candidate", candidate);
        root.put("seeds", seeds);
        Map<String, Object> numbers = new LinkedHashMap<>();
        paired.forEach((k, p) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("baselineMedian", SampleStats.of(p.baseline()).median());
            n.put("candidateMedian", SampleStats.of(p.candidate()).median());
            n.put("differenceMedian", p.difference().median());
            n.put("differenceMin", p.difference().min());
            n.put("differenceMax", p.difference().max());
            n.put("differenceMean", p.meanDifference());
            numbers.put(k, n);
        });
        root.put("numbers", numbers);
        ReportJson.write(file, root);
    }

    /** Prints a table: per number, each side's median, and the paired difference's median (min-max) and mean. */
    public void print(PrintStream out) {
        out.printf("%s (candidate) against %s (baseline), paired on %d run seeds %s%n", candidate, baseline, seeds.size(), seeds);
        out.printf("  %-20s %10s %10s   %s%n", "number", "baseline", "candidate",
                "candidate - baseline per seed: median (min to max), mean");
        for (Metric m : METRICS) {
            Paired p = paired.get(m.key());
            if (p == null) {
                continue;
            }
            double f = m.factor();
            String v = "%." + m.decimals() + "f";
            String d = "%+." + m.decimals() + "f";
            out.printf("  %-20s " + v.replace("%", "%10") + " " + v.replace("%", "%10") + "   " + d + " (" + d + " to " + d + "), " + d
                    + "%s%n", m.key(), f * SampleStats.of(p.baseline()).median(),
                    f * SampleStats.of(p.candidate()).median(), f * p.difference().median(), f * p.difference().min(),
                    f * p.difference().max(), f * p.meanDifference(), m.unit().isEmpty() ? "" : " " + m.unit());
        }
    }

    private static Paired pair(List<double[]> pairs) {
        double[] x = new double[pairs.size()];
        double[] y = new double[pairs.size()];
        double[] d = new double[pairs.size()];
        double sum = 0;
        for (int i = 0; i < pairs.size(); i++) {
            x[i] = pairs.get(i)[0];
            y[i] = pairs.get(i)[1];
            d[i] = y[i] - x[i];
            sum += d[i];
        }
        return new Paired(x, y, SampleStats.of(d), sum / d.length);
    }

    private static JsonNode read(Path runs) {
        Path file = Files.isDirectory(runs) ? runs.resolve("runs.json") : runs;
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("no runs.json at " + file + " (bin/flock simulate --runs N writes one)");
        }
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            if (root == null || !root.path("runs").isArray()) {
                throw new InvalidInputException(file + " is not a runs.json: it has no 'runs' array");
            }
            return root;
        } catch (IOException e) {
            throw new InvalidInputException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    private static Map<Long, JsonNode> bySeed(JsonNode root, Path source) {
        Map<Long, JsonNode> out = new TreeMap<>();
        for (JsonNode run : root.get("runs")) {
            if (!run.path("seed").canConvertToLong()) {
                throw new InvalidInputException(source + ": a run has no integer 'seed'");
            }
            if (out.put(run.get("seed").asLong(), run) != null) {
                throw new InvalidInputException(source + ": seed " + run.get("seed").asLong() + " appears twice");
            }
        }
        return out;
    }

    private static double number(JsonNode run, String key) {
        JsonNode n = run.get(key);
        return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
