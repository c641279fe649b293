package io.flock.simulator.failover;

import io.flock.coordinator.CoordinatorMain;
import io.flock.core.FlockException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A coordinator replica in a JVM of its own ({@link CoordinatorMain} on this JVM's classpath), so that it can be killed
 * as a machine dies: {@link #kill()} is SIGKILL, with no shutdown hook, no lease release and no flush. Its output goes to
 * {@code coordinator.log} in its data directory. {@link #close()} stops it with SIGTERM (an ordered shutdown), then
 * SIGKILL after 15 s.
 */
final class ReplicaProcess implements AutoCloseable {
    private static final String READY = "coordinator on ";
    private final String name;
    private final Process process;
    private final Path log;

    private ReplicaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a replica and waits until it serves.
     *
     * @param settings {@code --set} keys of the coordinator (data-dir, database.url, grpc.port, lease.*, ...)
     * @param args     further arguments ({@code --rounds 1})
     * @throws FlockException when it exits or is not up within {@code timeout} (with the end of its log)
     */
    static ReplicaProcess start(String name, Path dataDir, Map<String, String> settings, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("coordinator.log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), CoordinatorMain.class.getName()));
        settings.forEach((k, v) -> command.addAll(List.of("--set", k + "=" + v)));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ReplicaProcess replica = new ReplicaProcess(name, p, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!replica.output().contains(READY)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new FlockException("replica " + name + " did not start (" + (p.isAlive() ? "timeout" : "exit " + p.exitValue())
                        + "): " + tail(replica.output()));
            }
            Thread.sleep(100);
        }
        return replica;
    }

    /** @return everything it printed so far */
    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static String tail(String text) {
        return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    }

    /** @return its name, its lease holder id */
    String name() {
        return name;
    }

    /** @return the process id */
    long pid() {
        return process.pid();
    }

    /** Kills it with SIGKILL and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
