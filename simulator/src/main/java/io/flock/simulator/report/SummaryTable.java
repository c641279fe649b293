package io.flock.simulator.report;

import java.io.PrintStream;
import java.util.Map;

/** The plain-text summary of a run, printed at its end. */
public final class SummaryTable {
    private SummaryTable() {
    }

    /** Prints one line per round and the summary block. */
    public static void print(RunReport report, double totalSeconds, PrintStream out) {
        if (!report.rounds().isEmpty()) {
            out.println();
            out.println(" round  accuracy    loss  seconds  ok  failed   down MB    up MB");
            for (RoundRow r : report.rounds()) {
                out.printf(" %5d  %8.4f  %6.3f  %7.2f  %3d  %6d  %8.2f  %7.2f%n", r.round(), r.accuracy(), r.loss(), r.seconds(),
                        r.participants(), r.failures(), Megabytes.of(r.bytesDown()), Megabytes.of(r.bytesUp()));
            }
        }
        Map<String, Object> s = report.summary(totalSeconds);
        if (report.rounds().isEmpty()) {
            // a workload without training rounds (push-1k) printed its own result line already
            out.printf("%nno training rounds | total %.1f s | peak RSS %.0f MB%n", totalSeconds,
                    Megabytes.of((long) s.get("peakRssBytes")));
            return;
        }
        String cpu = report.section("cpu") instanceof Map<?, ?> c && c.get("secondsPerRound") instanceof Double perRound
                ? String.format(" | %.3f CPU-s per round (JIT %.1f s in all)", perRound, (Double) c.get("jitSeconds")) : "";
        out.printf("%nfinal accuracy %.4f | mean of last 5 %.4f | median round %.3f s%s | total %.1f s | %.1f MB moved"
                + " | peak RSS %.0f MB%n",
                (double) s.get("finalAccuracy"), (double) s.get("meanAccuracyLast5"), (double) s.get("medianRoundSeconds"), cpu,
                totalSeconds, Megabytes.of((long) s.get("bytesTotal")), Megabytes.of((long) s.get("peakRssBytes")));
    }
}
