package io.flock.simulator.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU time this whole process has used (every thread: broker, coordinator, agents, JIT, GC) and the part
 * the JIT compilers took. The difference of two readings is what a stretch of a run cost. On
 * a machine with few cores a round is CPU-bound, so CPU seconds per round is the number to compare across runs
 * when wall time is noisy, and JIT seconds show how far the JVM was from warm. The JIT figure is the CPU time of
 * HotSpot's compiler threads, read from {@code /proc/self/task} (Linux). The JVM's own compile-time counter is not
 * used: it adds up each compilation's elapsed time, and on two busy cores a compiler thread waits for a core for much
 * of that (for a W1 warm-up run it gave 27.2 s; in another, the compiler threads used 9.5 s of CPU). Either figure
 * is NaN where it cannot be read.
 *
 * @param cpuSeconds process CPU time, user + system
 * @param jitSeconds CPU time of the JIT compiler threads, user + system
 */
public record ProcessCpu(double cpuSeconds, double jitSeconds) {
    /** Linux reports thread CPU in clock ticks of 1/100 s (USER_HZ, the same on every architecture Java runs on). */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    /** @return the readings now */
    public static ProcessCpu now() {
        double cpu = Double.NaN;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            cpu = nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return new ProcessCpu(cpu, compilerThreadSeconds());
    }

    /** @return user + system CPU seconds of the threads named "C1 CompilerThread…" or "C2 CompilerThread…", NaN without /proc */
    static double compilerThreadSeconds() {
        Path tasks = Path.of("/proc/self/task");
        long ticks = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        String stat = Files.readString(task.resolve("stat"));
                        // fields after the parenthesised name: state is field 3, utime 14 and stime 15
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (NoSuchFileException gone) {
                    // the thread ended between listing and reading; its CPU left the count with it
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ticks / (double) CLOCK_TICKS_PER_SECOND;
    }

    /** @return what was used between {@code earlier} and this reading */
    public ProcessCpu since(ProcessCpu earlier) {
        return new ProcessCpu(cpuSeconds - earlier.cpuSeconds, jitSeconds - earlier.jitSeconds);
    }

    /**
     * @param rounds rounds (or pushes) the stretch ran, for the per-round figure; 0 leaves it out
     * @return the report's {@code cpu} section: {@code seconds}, {@code jitSeconds} and {@code secondsPerRound}
     */
    public Map<String, Object> section(int rounds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", cpuSeconds);
        m.put("jitSeconds", jitSeconds);
        if (rounds > 0) {
            m.put("secondsPerRound", cpuSeconds / rounds);
        }
        return m;
    }
}
