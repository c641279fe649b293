package io.flock.simulator.fleetops;

import java.io.PrintStream;
import java.util.Map;

/** The console summary of a fleetops run: detection, retraining and rollout outcomes in a few lines. */
public final class FleetOpsSummary {
    private FleetOpsSummary() {
    }

    /** Prints what the section says. */
    @SuppressWarnings("unchecked")
    public static void print(Map<String, Object> s, PrintStream out) {
        out.printf("fleetops: %s monitor windows judged, %s alarms before any drift%n", s.get("monitorWindows"),
                ((java.util.List<?>) s.getOrDefault("alarmsBeforeDrift", java.util.List.of())).size());
        if (s.containsKey("detected")) {
            out.printf("drift: detected %s%s%n", s.get("detected"), Boolean.TRUE.equals(s.get("detected"))
                    ? String.format(" in monitor window %s after it began (%.1f s): %s", s.get("windowsToDetect"), s.get("secondsToDetect"),
                    s.get("firstAlarm")) : "");
        }
        if (s.containsKey("accuracyOnShiftedAfterRetraining")) {
            out.printf("retraining: accuracy on the shifted held-out data %.4f before, %.4f after (%+.1f points); before the drift %.4f%n",
                    s.get("accuracyOnShiftedBeforeRetraining"), s.get("accuracyOnShiftedAfterRetraining"), s.getOrDefault("recoveredPoints",
                    Double.NaN), s.get("accuracyBeforeDrift"));
        }
        if (s.get("rollout") instanceof Map<?, ?> r) {
            Map<String, Object> m = (Map<String, Object>) r;
            out.printf("rollout %s: %s at stage %s of %s, %s health windows judged (rolled back after %s), at most %s devices on the candidate"
                    + " (cohort at most %s, overshoot %s)%n", m.get("id"), m.get("status"), m.get("stageReached"), m.get("stages"),
                    m.get("healthWindowsJudged"), m.get("healthWindowsToRollback"), m.get("maxDevicesOnCandidate"), m.get("maxCohortDevices"),
                    m.get("maxOvershoot"));
        }
    }
}
