package io.flock.simulator.scenario;

import io.flock.agent.link.WireTap;
import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.core.partition.DirichletPartitioner;
import io.flock.core.partition.IidPartitioner;
import io.flock.core.partition.OverlappingIidPartitioner;
import io.flock.core.partition.Partitioner;
import io.flock.core.partition.PathologicalPartitioner;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.fleetops.FleetOpsPlots;
import io.flock.simulator.fleetops.FleetOpsSummary;
import io.flock.simulator.report.Megabytes;
import io.flock.simulator.report.Plots;
import io.flock.simulator.report.ProcessCpu;
import io.flock.simulator.report.RunReport;
import io.flock.simulator.report.RunSeries;
import io.flock.simulator.report.SummaryTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** {@code bin/flock simulate}: loads data, partitions it, runs the scenario and writes the report, plots and summary. */
public final class Simulation {
    /** Most measured runs one command may ask for. */
    public static final int MAX_RUNS = 20;
    private final ScenarioConfig scenario;
    private final PrintStream out;

    /** @param out where progress and the summary go */
    public Simulation(ScenarioConfig scenario, PrintStream out) {
        this.scenario = scenario;
        this.out = out;
    }

    /** Samples per device of an iid partition over more devices than samples ({@link OverlappingIidPartitioner}). */
    static final int OVERLAP_SAMPLES = 10;

    /** @return the dataset directory a scenario names */
    public static Path dataset(ScenarioConfig s) {
        return switch (s.dataset()) {
            case "system" -> BundledData.fashionMnist();
            case "bundled" -> BundledData.subset();
            default -> Path.of(s.dataset());
        };
    }

    /**
     * Partitions the training set as the scenario says.
     *
     * @throws ConfigException naming partition when the split is impossible for this data
     */
    public static List<ByteDataset> partitions(ScenarioConfig s, ByteDataset train) {
        return partitions(s.partition(), s.devices(), train);
    }

    /**
     * Splits a training set over devices.
     *
     * @throws ConfigException naming partition when the split is impossible for this data
     */
    public static List<ByteDataset> partitions(ScenarioConfig.PartitionSpec spec, int devices, ByteDataset train) {
        Partitioner p = switch (spec.kind()) {
            case "dirichlet" -> new DirichletPartitioner(spec.alpha(), Math.min(10, train.size() / devices));
            case "pathological" -> new PathologicalPartitioner(spec.shardsPerDevice());
            // more devices than samples (fleet-100k measures the platform): each device holds 10, shared with others
            default -> devices > train.size() ? new OverlappingIidPartitioner(OVERLAP_SAMPLES) : new IidPartitioner();
        };
        int[][] parts;
        try {
            parts = p.partition(train.labels(), devices, new Random(spec.seed()));
        } catch (io.flock.core.InvalidInputException e) {
            throw new ConfigException("partition " + spec.kind() + " is impossible for " + train.size()
                    + " samples and " + devices + " devices: " + e.getMessage());
        }
        List<ByteDataset> out = new ArrayList<>();
        for (int[] part : parts) {
            out.add(train.subset(part));
        }
        return out;
    }

    /** Reads the training set and splits it; the whole set is garbage when this returns. */
    private List<ByteDataset> loadPartitions(Path data) throws IOException {
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        List<ByteDataset> parts = partitions(scenario, train);
        if (scenario.dataset().equals("system") && !data.startsWith(BundledData.SYSTEM)) {
            out.println("note: the full Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); using the bundled subset");
        }
        out.printf("scenario %s: %d devices (%d per round), %d %s, %s, %s partition of %d samples from %s%n", scenario.name(),
                scenario.devices(), scenario.devicesPerRound(), scenario.rounds(),
                scenario.workload() == ScenarioConfig.Workload.PUSH ? "timed pushes" : "rounds", scenario.model(), scenario.partition().kind(),
                train.size(), data);
        return parts;
    }

    /** Runs the scenario once and writes DIR/report.json, the plots, and a summary table to the console. */
    public RunReport run(Path outDir, Path work, WireTap tap) throws Exception {
        return run(outDir, work, tap, 1).get(0);
    }

    /**
     * Runs the scenario's warm-up runs, then {@code runs} measured runs, each on its own broker, coordinator and fleet.
     * Run k uses run seed {@code seed + k - 1} on the same partition: the runs differ in device selection, the initial
     * model and local shuffles, which is what a result over several runs should average out. One run writes its
     * report and plots to DIR; several write them to DIR/run-K, and compare them in DIR/runs.json and
     * DIR/runs-accuracy.png ({@link RunSeries}).
     *
     * @param runs measured runs, 1..{@value #MAX_RUNS}
     * @return the measured runs' reports, in order
     * @throws ConfigException naming --runs when it is out of range
     */
    public List<RunReport> run(Path outDir, Path work, WireTap tap, int runs) throws Exception {
        if (runs < 1 || runs > MAX_RUNS) {
            throw new ConfigException("--runs must be 1.." + MAX_RUNS + ", got " + runs);
        }
        Path data = dataset(scenario);
        List<ByteDataset> parts = loadPartitions(data);
        List<WarmUp> warmups = new ArrayList<>();
        boolean warm = false;
        for (int w = 1; w <= scenario.warmupRuns() && !warm; w++) {
            WarmUp warmup = warmUp(w, parts, data, work.resolve("warmup-" + w), tap);
            warmups.add(warmup);
            warm = scenario.warm(warmup.used());
        }
        if (!warmups.isEmpty() && scenario.warmupJitShare() > 0) {
            ProcessCpu last = warmups.get(warmups.size() - 1).used();
            out.printf("%s after %d warm-up runs: the JIT took %.1f %% of the CPU of the last one's rounds (warmupJitShare %.1f %%)%n",
                    warm ? "warm" : "still not warm, but warmupRuns allows no more,", warmups.size(),
                    100 * last.jitSeconds() / last.cpuSeconds(), 100 * scenario.warmupJitShare());
        }
        if (!warmups.isEmpty()) {
            out.println("warm-up done; the measured runs start now");
        }
        RunSeries series = new RunSeries(scenario.name());
        for (int k = 1; k <= runs; k++) {
            ScenarioConfig s = scenario.withSeed(scenario.seed() + k - 1);
            if (runs > 1) {
                out.printf("measured run %d/%d, seed %d%n", k, runs, s.seed());
            }
            Path dir = runs == 1 ? outDir : outDir.resolve("run-" + k);
            long start = System.nanoTime();
            RunReport report = new RunReport(s.name(), ScenarioReport.config(s, data));
            Worked worked;
            if (!warmups.isEmpty()) {
                report.section("warmup", warmups.stream().map(WarmUp::section).toList());
            }
            try (ScenarioRunner runner = new ScenarioRunner(s, Files.createDirectories(work.resolve("run-" + k)), out, tap, false, Map.of())) {
                runner.start(parts, data);
                if (k == runs && s.workload() != ScenarioConfig.Workload.FLEETOPS) {
                    parts.clear(); // the devices have written their data: a W1 run keeps 47 MB less live heap while it measures
                }
                out.printf("broker, coordinator and %d agents up in %.1f s%n", s.devices(), (System.nanoTime() - start) / 1e9);
                worked = work(runner, report, parts, data);
                if (runner.attackers().any()) {
                    report.section("attackers", runner.attackers().section(report.selection()));
                }
                if (worked.figures() != null) {
                    report.section(s.workload() == ScenarioConfig.Workload.FLEETOPS ? "fleetops" : "push", worked.figures());
                }
                report.section("cpu", worked.used().section(report.rounds().size()));
                Map<String, Object> broker = runner.brokerMemory();
                report.section("broker", broker);
                if (broker.get("peakRssBytes") instanceof Long peak && broker.get("rssBytes") instanceof Long now) {
                    out.printf("broker (own process, pid %d): peak RSS %.0f MB since it started, %.0f MB now%n", broker.get("pid"),
                            Megabytes.of(peak), Megabytes.of(now));
                }
                report.section("faults", runner.faultLog());
                if (runner.secureSums() != null) {
                    report.section("secureSum", runner.secureSums());
                }
            }
            double total = (System.nanoTime() - start) / 1e9;
            report.write(dir, total);
            if (!report.rounds().isEmpty()) {
                Plots.all(report, dir, s.name());
            }
            if (worked.figures() != null && s.workload() == ScenarioConfig.Workload.PUSH) {
                PushBenchmark.plot(worked.figures(), dir, s.name());
            }
            if (worked.figures() != null && s.workload() == ScenarioConfig.Workload.FLEETOPS) {
                FleetOpsPlots.all(worked.figures(), dir, s.name());
                FleetOpsSummary.print(worked.figures(), out);
            }
            SummaryTable.print(report, total, out);
            out.println("report and plots in " + dir.toAbsolutePath());
            series.add(s.seed(), report, total);
        }
        if (runs > 1) {
            series.write(outDir, out);
        }
        return series.reports();
    }

    /**
     * Runs the whole scenario once, unmeasured, on its own broker, coordinator and fleet, then closes them: the
     * measured run starts fresh, in a JVM that has already compiled the code it runs. Its rounds print as usual.
     */
    private WarmUp warmUp(int w, List<ByteDataset> parts, Path data, Path dir, WireTap tap) throws Exception {
        out.printf("warm-up run %d/%s%d, not measured: the whole scenario on its own broker, coordinator and %d agents%n", w,
                scenario.warmupJitShare() > 0 ? "at most " : "", scenario.warmupRuns(), scenario.devices());
        long t = System.nanoTime();
        Worked worked;
        RunReport unmeasured = new RunReport(scenario.name(), Map.of());
        try (ScenarioRunner runner = new ScenarioRunner(scenario, Files.createDirectories(dir), out, tap, false, Map.of())) {
            runner.start(parts, data);
            worked = work(runner, unmeasured, parts, data);
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        double median = unmeasured.rounds().isEmpty() ? Double.NaN
                : (Double) unmeasured.summary(seconds).get("medianRoundSeconds");
        WarmUp warmup = new WarmUp(w, seconds, median, worked.used());
        out.printf("warm-up run %d done in %.1f s%s; its %s took %.1f CPU-s, of which JIT %.1f s%n", w, seconds,
                Double.isNaN(median) ? "" : String.format(" (median round %.3f s)", median),
                Double.isNaN(median) ? "pushes" : "rounds", warmup.used().cpuSeconds(), warmup.used().jitSeconds());
        return warmup;
    }

    /**
     * Runs the scenario's workload on a started runner, its training rounds into {@code report} or its timed pushes,
     * and measures the CPU of just that: what a run's {@code cpu} section covers, warm-up or measured.
     */
    private Worked work(ScenarioRunner runner, RunReport report, List<ByteDataset> parts, Path data) throws Exception {
        ProcessCpu before = ProcessCpu.now();
        Map<String, Object> push = null;
        if (runner.scenario().workload() == ScenarioConfig.Workload.PUSH) {
            push = PushBenchmark.run(runner, out); // its rounds are pushes, not training rounds
        } else if (runner.scenario().workload() == ScenarioConfig.Workload.FLEETOPS) {
            push = FleetOpsRun.run(runner, report, parts, data, out); // training rounds, then serving windows
        } else {
            runner.runRounds(report);
        }
        return new Worked(ProcessCpu.now().since(before), push);
    }

    /** What a workload cost in CPU, and the push or fleetops figures when its workload was one of those (null for rounds). */
    private record Worked(ProcessCpu used, Map<String, Object> figures) {
    }

    /**
     * One unmeasured warm-up run: its number, seconds, median round (NaN for pushes: they have no rounds), and the
     * CPU of its rounds or pushes.
     */
    private record WarmUp(int run, double seconds, double medianRoundSeconds, ProcessCpu used) {
        /** @return its entry in a measured report's {@code warmup} section */
        Map<String, Object> section() {
            return map("run", run, "seconds", seconds, "medianRoundSeconds", medianRoundSeconds,
                    "cpuSeconds", used.cpuSeconds(), "jitSeconds", used.jitSeconds());
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
