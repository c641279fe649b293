package io.flock.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class ProcessCpuTest {
    @TempDir
    Path dir;

    @Test
    void since_countsAtLeastTheCpuThisThreadBurned_andTheJitNeverGoesBack() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ProcessCpu before = ProcessCpu.now();
        long threadStart = threads.getCurrentThreadCpuTime();
        double sink = 0;
        while (threads.getCurrentThreadCpuTime() - threadStart < 200_000_000L) {
            for (int i = 0; i < 10_000; i++) {
                sink += Math.sqrt(i + sink);
            }
        }
        double burned = (threads.getCurrentThreadCpuTime() - threadStart) / 1e9;

        ProcessCpu used = ProcessCpu.now().since(before);

        assertThat(sink).isPositive();
        assertThat(used.cpuSeconds()).isGreaterThanOrEqualTo(burned * 0.95);
        assertThat(used.jitSeconds()).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void compilerThreads_haveUsedSomeButNotAllOfTheProcessCpu() {
        ProcessCpu now = ProcessCpu.now();

        assertThat(now.jitSeconds()).isPositive().isLessThan(now.cpuSeconds());
    }

    @Test
    void section_givesPerRoundCpu_onlyWhenThereWereRounds() {
        ProcessCpu used = new ProcessCpu(6.0, 1.5);

        assertThat(used.section(20)).containsEntry("seconds", 6.0).containsEntry("jitSeconds", 1.5)
                .containsEntry("secondsPerRound", 0.3);
        assertThat(used.section(0)).doesNotContainKey("secondsPerRound");
    }

    @Test
    void runSeries_comparesCpuPerRoundAndJitOverRuns() throws Exception {
        RunSeries series = new RunSeries("two-runs");
        double[] cpu = {8.0, 6.0};
        double[] jit = {2.0, 1.0};
        for (int k = 0; k < 2; k++) {
            RunReport report = new RunReport("two-runs", Map.of());
            report.add(new RoundRow(1, 0.5, 1.0, 0.3, 10, 0, 100, 200));
            report.add(new RoundRow(2, 0.6, 0.9, 0.3, 10, 0, 100, 200));
            report.section("cpu", new ProcessCpu(cpu[k], jit[k]).section(report.rounds().size()));
            series.add(k, report, 10.0);
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        series.write(dir, new PrintStream(console, true, StandardCharsets.UTF_8));

        assertThat(series.stats().get("cpuSecondsPerRound").min()).isEqualTo(3.0);
        assertThat(series.stats().get("cpuSecondsPerRound").max()).isEqualTo(4.0);
        assertThat(series.stats().get("jitSeconds").max()).isEqualTo(2.0);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("CPU per round 3.500 (3.000-4.000) s");
        assertThat(dir.resolve("runs.json")).content().contains("\"cpuSecondsPerRound\"");
    }
}
