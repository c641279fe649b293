package io.flock.simulator.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon started through its module's own entry point and classpath ({@code MODULE/target/*.jar} and
 * {@code MODULE/target/lib}, as {@code bin/flock} and the container image run it), as a child process whose
 * output goes to a file. SIGTERM with {@link #stop()}, SIGKILL with {@link #kill()}.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param module the module directory name, e.g. "coordinator"
     * @param main   its entry point class
     */
    static ChildJvm start(String module, String main, Path log, String... args) throws IOException {
        Path target = Path.of("..", module, "target").toAbsolutePath().normalize();
        String jar;
        try (var s = Files.list(target)) {
            jar = s.filter(p -> p.getFileName().toString().matches("flock-.*-SNAPSHOT\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no jar in " + target + ": package the module first")).toString();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlogback.configurationFile=flock-logback.xml", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", jar + ":" + target.resolve("lib") + "/*", main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        pb.environment().put("FLOCK_LOG_AGENT", "INFO"); // an agent daemon's default; the shared config keeps in-process agents quiet
        return new ChildJvm(pb.start(), log);
    }

    /** @return the first group of the first output line matching {@code regex}, waiting for it */
    String await(String regex, Duration timeout) throws IOException, InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m.groupCount() > 0 ? m.group(1) : line;
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("child exited with " + process.exitValue() + " before printing /" + regex + "/:\n" + output());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no line /" + regex + "/ within " + timeout + ":\n" + output());
    }

    /** @return everything the child printed so far */
    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** SIGTERM, then waits for the exit; @return the exit code */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("child did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
