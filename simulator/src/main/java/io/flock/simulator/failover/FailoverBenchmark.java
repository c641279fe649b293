package io.flock.simulator.failover;

import io.flock.simulator.report.ReportJson;
import io.flock.simulator.report.SampleStats;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/flock failover}: runs {@link FailoverRun} several times and writes {@code report.json}: each run, and the
 * median, min and max of the times from the kill to the take-over and to the published round, with the updates lost
 * over all runs (must be 0).
 */
public final class FailoverBenchmark {
    private final PrintStream out;

    /** @param out where progress and the summary go */
    public FailoverBenchmark(PrintStream out) {
        this.out = out;
    }

    /** @return the report written to {@code dir/report.json} */
    public Map<String, Object> run(FailoverSpec spec, int runs, Path dir) throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            results.add(new FailoverRun(spec, out).run(i));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "bin/flock failover --runs " + runs + " --agents " + spec.agents() + " --lease-ttl " + spec.ttl().toMillis()
                + "ms --round-timeout " + spec.roundTimeout().toMillis() + "ms --slow-training " + spec.slowTraining().toMillis() + "ms");
        report.put("agents", spec.agents());
        report.put("leaseTtlSeconds", spec.ttl().toMillis() / 1000.0);
        report.put("roundTimeoutSeconds", spec.roundTimeout().toMillis() / 1000.0);
        report.put("boundSeconds", (spec.ttl().plus(spec.roundTimeout())).toMillis() / 1000.0);
        report.put("killToTakeoverSeconds", stats(results, "killToTakeoverSeconds"));
        report.put("killToPublishedSeconds", stats(results, "killToPublishedSeconds"));
        report.put("lostTotal", results.stream().mapToInt(r -> (int) r.get("lost")).sum());
        report.put("runs", results);
        Files.createDirectories(dir);
        ReportJson.write(dir.resolve("report.json"), report);
        SampleStats takeover = SampleStats.of(values(results, "killToTakeoverSeconds"));
        SampleStats published = SampleStats.of(values(results, "killToPublishedSeconds"));
        out.printf("failover, %d runs: kill to take-over median %.2f s (min %.2f, max %.2f), kill to round published median %.2f s"
                        + " (min %.2f, max %.2f); bound ttl + round timeout = %.0f s; lost updates %d; report %s%n", runs, takeover.median(),
                takeover.min(), takeover.max(), published.median(), published.min(), published.max(),
                spec.ttl().plus(spec.roundTimeout()).toMillis() / 1000.0, report.get("lostTotal"), dir.resolve("report.json"));
        return report;
    }

    private static double[] values(List<Map<String, Object>> runs, String key) {
        return runs.stream().mapToDouble(r -> (double) r.get(key)).toArray();
    }

    private static Map<String, Object> stats(List<Map<String, Object>> runs, String key) {
        SampleStats s = SampleStats.of(values(runs, key));
        return Map.of("median", s.median(), "min", s.min(), "max", s.max());
    }
}
