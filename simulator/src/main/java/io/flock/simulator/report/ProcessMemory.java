package io.flock.simulator.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's memory from /proc (Linux); other systems, and processes that are gone, report -1. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** @return this process's peak resident set size in bytes (VmHWM), -1 when unknown */
    public static long peakRssBytes() {
        return field("self", "VmHWM:");
    }

    /** @return the peak resident set size in bytes (VmHWM) of process {@code pid} since it started, -1 when unknown */
    public static long peakRssBytes(long pid) {
        return field(String.valueOf(pid), "VmHWM:");
    }

    /** @return the resident set size in bytes (VmRSS) of process {@code pid} now, -1 when unknown */
    public static long rssBytes(long pid) {
        return field(String.valueOf(pid), "VmRSS:");
    }

    private static long field(String process, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", process, "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
