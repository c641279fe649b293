package io.flock.coordinator.rollout;

/**
 * One health gate over one window: the canary cohort against the control cohort.
 *
 * @param name      error-rate, offload-rate, mean-confidence, latency-ms or feedback-accuracy
 * @param canary    the canary's value (NaN without data)
 * @param control   the control's value
 * @param threshold the allowed difference (for latency-ms, the allowed ratio)
 * @param decided   whether both cohorts had enough data for the gate to decide
 * @param passed    false only when it decided that the canary is worse by more than the threshold
 * @param note      why it did not decide, "" when it did
 */
public record GateResult(String name, double canary, double control, double threshold, boolean decided, boolean passed, String note) {
    /** @return a gate that lacked data */
    static GateResult undecided(String name, double canary, double control, double threshold, String note) {
        return new GateResult(name, canary, control, threshold, false, true, note);
    }

    /** @return the gate in words, for logs and events */
    public String describe() {
        String v = String.format("%s canary=%.4f control=%.4f threshold=%.4f", name, canary, control, threshold);
        return decided ? v + (passed ? " passed" : " FAILED") : v + " undecided (" + note + ")";
    }
}
