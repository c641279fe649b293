package io.flock.coordinator.rollout;

import java.util.List;

/**
 * Compares a canary cohort with the control cohort over one health window, gate by gate: the error and rejection rate,
 * the offload rate, the mean confidence, the mean local latency, and the accuracy on feedback labels. A gate decides
 * only when both cohorts reported enough (answers, or feedback labels for accuracy). The rate, confidence and accuracy
 * gates fail only when the canary is worse than the control by more than the threshold with 99 % confidence: the
 * difference less {@link #Z} standard errors (binomial for rates, from the confidence histograms for confidence) still
 * exceeds it. A canary of 5 devices answers a few hundred questions a window; without the margin, sampling noise
 * alone (a standard error of 0.035 on 100 feedback labels) failed a healthy candidate's 0.05 accuracy gate one window in
 * twelve. The latency gate compares means with a ratio and a 1 ms slack. Stateless.
 */
final class HealthGates {
    /** Latency differences under this many ms never fail the latency gate (timer resolution, scheduling noise). */
    static final double LATENCY_SLACK_MS = 1.0;
    /** Standard errors of the difference a failing gate must clear its threshold by: one-sided 99 %. */
    static final double Z = 2.33;

    private HealthGates() {
    }

    static List<GateResult> judge(CohortHealth canary, CohortHealth control, RolloutConfig.Gates g) {
        boolean answers = canary.answers() >= g.minAnswers() && control.answers() >= g.minAnswers();
        String few = "under " + g.minAnswers() + " answers (canary " + canary.answers() + ", control " + control.answers() + ")";
        GateResult errors = rate("error-rate", canary.errorRate(), control.errorRate(), canary.answers(), control.answers(),
                g.maxErrorRateIncrease(), answers, few);
        GateResult offload = rate("offload-rate", canary.offloadRate(), control.offloadRate(), canary.answers(), control.answers(),
                g.maxOffloadRateIncrease(), answers, few);
        boolean conf = canary.confidenceCount() >= g.minAnswers() && control.confidenceCount() >= g.minAnswers();
        GateResult confidence = conf
                ? decided("mean-confidence", canary.meanConfidence(), control.meanConfidence(), g.maxConfidenceDrop(),
                !worse(control.meanConfidence() - canary.meanConfidence(), Math.sqrt(canary.confidenceVariance() / canary.confidenceCount()
                        + control.confidenceVariance() / control.confidenceCount()), g.maxConfidenceDrop()))
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
                !worse(control.feedbackAccuracy() - canary.feedbackAccuracy(), binomialError(canary.feedbackAccuracy(), canary.feedbackCount(),
                        control.feedbackAccuracy(), control.feedbackCount()), g.maxAccuracyDrop()))
                : GateResult.undecided("feedback-accuracy", canary.feedbackAccuracy(), control.feedbackAccuracy(), g.maxAccuracyDrop(),
                "under " + g.minFeedback() + " feedback labels (canary " + canary.feedback() + ", control " + control.feedback() + ")");
        return List.of(errors, offload, confidence, latency, accuracy);
    }

    private static GateResult rate(String name, double canary, double control, long canaryN, long controlN, double max, boolean enough,
                                   String few) {
        return enough ? decided(name, canary, control, max, !worse(canary - control, binomialError(canary, canaryN, control, controlN), max))
                : GateResult.undecided(name, canary, control, max, few);
    }

    /** @return whether a difference exceeds the threshold with 99 % confidence (NaN standard error: by the difference alone) */
    static boolean worse(double difference, double standardError, double threshold) {
        double margin = Double.isNaN(standardError) ? 0 : Z * standardError;
        return difference - margin > threshold;
    }

    /** @return the standard error of the difference of two proportions (each clamped into [0, 1]) */
    static double binomialError(double p1, long n1, double p2, long n2) {
        double a = Math.min(1, Math.max(0, p1));
        double b = Math.min(1, Math.max(0, p2));
        return Math.sqrt(a * (1 - a) / Math.max(1, n1) + b * (1 - b) / Math.max(1, n2));
    }

    private static GateResult decided(String name, double canary, double control, double threshold, boolean passed) {
        return new GateResult(name, canary, control, threshold, true, passed, "");
    }
}
