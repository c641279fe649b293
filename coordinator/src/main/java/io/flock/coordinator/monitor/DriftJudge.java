package io.flock.coordinator.monitor;

import io.flock.core.stats.ChiSquare;
import io.flock.core.stats.DriftSketch;
import io.flock.core.stats.InputProjections;
import io.flock.core.stats.Psi;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares one window's statistics with the reference's, statistic by statistic: each input projection (covariate
 * shift), the predicted-label mix (label shift, black-box shift detection: the model's answers stand in for the labels
 * no one sends), and the confidence histogram (a confidence drop, where no labels come back). Each gets its PSI and the
 * p-value of a chi-square test of homogeneity; it alarms when the window has enough answers, the p-value is under the
 * per-test level and the PSI reaches the threshold. Stateless.
 */
public final class DriftJudge {
    /** The name of the predicted-label mix statistic. */
    public static final String LABEL_MIX = "label-mix";
    /** The name of the confidence histogram statistic. */
    public static final String CONFIDENCE = "confidence";
    /** The name of the feedback error stream's statistic. */
    public static final String ERROR_RATE = "error-rate";

    private DriftJudge() {
    }

    /**
     * One statistic's comparison.
     *
     * @param statistic a projection's name, {@link #LABEL_MIX} or {@link #CONFIDENCE}
     * @param psi       population stability index of the window against the reference
     * @param pValue    the chi-square test's p-value
     * @param samples   answers in the window
     * @param alarm     whether it alarms
     */
    public record Result(String statistic, double psi, double pValue, long samples, boolean alarm) {
        /** @return the kind of drift it stands for: covariate, label or concept */
        public String kind() {
            return statistic.equals(LABEL_MIX) ? "label shift" : statistic.equals(CONFIDENCE) ? "confidence drop" : "covariate shift";
        }
    }

    /** @return the statistics a window is tested on: the projections, the label mix and the confidence histogram */
    public static int tests() {
        return InputProjections.count() + 2;
    }

    /**
     * @param alphaPerTest the p-value a statistic must fall under (the window's level divided by its number of tests)
     * @param psiThreshold the PSI it must also reach
     * @param minSamples   answers the window needs before anything can alarm
     * @return one result per statistic, in the order projections, label mix, confidence
     */
    public static List<Result> judge(DriftSketch reference, DriftSketch window, double alphaPerTest, double psiThreshold, long minSamples) {
        List<Result> out = new ArrayList<>();
        long n = window.count();
        if (n == 0) {
            return out;
        }
        long[][] ref = reference.projectionCounts();
        long[][] win = window.projectionCounts();
        for (int p = 0; p < win.length; p++) {
            out.add(result(InputProjections.NAMES.get(p), ref[p], win[p], n, alphaPerTest, psiThreshold, minSamples));
        }
        out.add(result(LABEL_MIX, reference.labelCounts(), window.labelCounts(), n, alphaPerTest, psiThreshold, minSamples));
        out.add(result(CONFIDENCE, reference.confidenceCounts(), window.confidenceCounts(), n, alphaPerTest, psiThreshold, minSamples));
        return out;
    }

    private static Result result(String name, long[] reference, long[] window, long n, double alpha, double psiThreshold, long minSamples) {
        double psi = Psi.of(reference, window);
        double p = ChiSquare.pValue(reference, window);
        return new Result(name, psi, p, n, n >= minSamples && p < alpha && psi >= psiThreshold);
    }
}
