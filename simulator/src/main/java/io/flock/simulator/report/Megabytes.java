package io.flock.simulator.report;

/**
 * Byte counts as the simulator prints them: megabytes of 10^6 bytes, the unit of {@code runs.json}, {@code bin/flock
 * compare} and BENCHMARKS.md, so that a console line, a report and a target read the same number.
 */
public final class Megabytes {
    private Megabytes() {
    }

    /** @return {@code bytes} in megabytes of 10^6 bytes */
    public static double of(double bytes) {
        return bytes / 1e6;
    }
}
