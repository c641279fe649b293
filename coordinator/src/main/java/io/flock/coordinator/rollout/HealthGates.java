package io.flock.coordinator.rollout;

import java.util.List;

/**
 * Compares a canary cohort with the control cohort over one health window, gate by gate: the error and rejection rate,
 * the offload rate, the mean confidence, the mean local latency, and the accuracy on feedback labels. A gate decides
 * only when both cohorts reported enough (answers, or feedback labels for accuracy); one that decides the canary is worse
 * than the control by more than its threshold fails. Stateless.
 */
final class HealthGates {
    /** Latency differences under this many ms never fail the latency gate (timer resolution, scheduling noise). */
    static final double LATENCY_SLACK_MS = 1.0;

    private HealthGates() {
    }

    static List<GateResult> judge(CohortHealth canary, CohortHealth control, RolloutConfig.Gates g) {
        boolean answers = canary.answers() >= g.minAnswers() && control.answers() >= g.minAnswers();
        String few = "under " + g.minAnswers() + " answers (canary " + canary.answers() + ", control " + control.answers() + ")";
        GateResult errors = rate("error-rate", canary.errorRate(), control.errorRate(), g.maxErrorRateIncrease(), answers, few);
        GateResult offload = rate("offload-rate", canary.offloadRate(), control.offloadRate(), g.maxOffloadRateIncrease(), answers, few);
        boolean conf = canary.confidenceCount() >= g.minAnswers() && control.confidenceCount() >= g.minAnswers();
        GateResult confidence = conf
                ? decided("mean-confidence", canary.meanConfidence(), control.meanConfidence(), g.maxConfidenceDrop(),
                control.meanConfidence() - canary.meanConfidence() <= g.maxConfidenceDrop())
                : GateResult.undecided("mean-confidence", canary.meanConfidence(), control.meanConfidence(), g.maxConfidenceDrop(),
                "under " + g.minAnswers() + " local answers with statistics");
        boolean local = canary.local() >= g.minAnswers() && control.local() >= g.minAnswers();
        GateResult latency = local
                ? decided("latency-ms", canary.meanLatencyMs(), control.meanLatencyMs(), g.maxLatencyRatio(),
                canary.meanLatencyMs() <= control.meanLatencyMs() * g.maxLatencyRatio() + LATENCY_SLACK_MS)
                : GateResult.undecided("latency-ms", canary.meanLatencyMs(), control.meanLatencyMs(), g.maxLatencyRatio(),
                "under " + g.minAnswers() + " local answers");
        boolean labels = canary.feedback() >= g.minFeedback() && control.feedback() >= g.minFeedback();
        GateResult accuracy = labels
                ? decided("feedback-accuracy", canary.feedbackAccuracy(), control.feedbackAccuracy(), g.maxAccuracyDrop(),
                control.feedbackAccuracy() - canary.feedbackAccuracy() <= g.maxAccuracyDrop())
                : GateResult.undecided("feedback-accuracy", canary.feedbackAccuracy(), control.feedbackAccuracy(), g.maxAccuracyDrop(),
                "under " + g.minFeedback() + " feedback labels (canary " + canary.feedback() + ", control " + control.feedback() + ")");
        return List.of(errors, offload, confidence, latency, accuracy);
    }

    private static GateResult rate(String name, double canary, double control, double max, boolean enough, String few) {
        return enough ? decided(name, canary, control, max, canary - control <= max) : GateResult.undecided(name, canary, control, max, few);
    }

    private static GateResult decided(String name, double canary, double control, double threshold, boolean passed) {
        return new GateResult(name, canary, control, threshold, true, passed, "");
    }
}
