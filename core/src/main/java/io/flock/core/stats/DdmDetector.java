package io.flock.core.stats;

import io.flock.core.InvalidInputException;

/**
 * Drift Detection Method (Gama, Medas, Castillo and Rodrigues, "Learning with Drift Detection", SBIA 2004) over a
 * stream of prediction errors fed in batches (e.g. a window's feedback: errors out of n).
 *
 * <p>After each batch, with E errors out of N predictions since the start (or the last drift):
 * p = E / N and s = sqrt(p'(1 - p') / N). Once N ≥ minSamples the detector keeps p<sub>min</sub> and
 * s<sub>min</sub> from the batch where p + s was smallest, and reports {@link State#WARNING} when
 * p + s ≥ p<sub>min</sub> + 2·s<sub>min</sub> and {@link State#DRIFT} when p + s ≥ p<sub>min</sub> + 3·s<sub>min</sub>.
 * After DRIFT it resets itself and learns the new concept from the next batch on (the batch that signalled drift is
 * not carried over).
 *
 * <p>Correction: the paper uses p itself in s, which makes s = 0 while no error has been seen, and then any single
 * error looks like drift. Here s uses p' = (E + 0.5) / (N + 1), which lies strictly inside (0, 1), so s and
 * s<sub>min</sub> are always > 0; p in p + s stays E / N.
 *
 * <p>Batches: the state is evaluated once per batch, not once per prediction as in the paper; the statistics are
 * the same cumulative ones, only seen at fewer points. Because they are cumulative, the delay to detect a change
 * grows with the length of the stable period before it (s<sub>min</sub> shrinks as 1/sqrt(N) but one batch moves p by
 * only about n/N of the change). Not thread-safe.
 */
public final class DdmDetector {
    /** Default predictions to see before the detector judges: the paper's 30. */
    public static final long MIN_SAMPLES = 30;

    /** What the detector concludes after a batch. */
    public enum State {
        /** The error rate is within 2 standard deviations of its best level (or too few predictions were seen). */
        STABLE,
        /** The error rate is 2 or more standard deviations above its best level. */
        WARNING,
        /** The error rate is 3 or more standard deviations above its best level; the detector has reset itself. */
        DRIFT
    }

    private final long minSamples;
    private long errors;
    private long n;
    private double pMin;
    private double sMin;
    private double level;

    /**
     * A detector with the paper's {@link #MIN_SAMPLES}.
     */
    public DdmDetector() {
        this(MIN_SAMPLES);
    }

    /**
     * @param minSamples predictions to see since the start (or the last drift) before judging, ≥ 1
     * @throws InvalidInputException for minSamples below 1
     */
    public DdmDetector(long minSamples) {
        if (minSamples < 1) {
            throw new InvalidInputException("minSamples must be >= 1, got " + minSamples);
        }
        this.minSamples = minSamples;
        reset();
    }

    /**
     * Adds one batch and judges the error rate so far.
     *
     * @param errors wrong predictions in the batch, 0 .. n
     * @param n      predictions in the batch, ≥ 0 (0 changes nothing and judges again)
     * @return STABLE, WARNING or DRIFT (after DRIFT the detector has already reset itself)
     * @throws InvalidInputException for negative errors or n, errors above n, or totals that would overflow; nothing
     *                               changes then
     */
    public State update(long errors, long n) {
        if (errors < 0 || n < 0 || errors > n) {
            throw new InvalidInputException("a batch needs 0 <= errors <= n, got errors " + errors + " and n " + n);
        }
        if (this.n + n < 0) {
            throw new InvalidInputException("total predictions overflow a long: " + this.n + " + " + n);
        }
        this.errors += errors;
        this.n += n;
        if (this.n < minSamples) {
            level = Double.NaN;
            return State.STABLE;
        }
        double p = (double) this.errors / this.n;
        double corrected = (this.errors + 0.5) / (this.n + 1.0);
        double s = Math.sqrt(corrected * (1 - corrected) / this.n);
        if (p + s < pMin + sMin) {
            pMin = p;
            sMin = s;
        }
        double current = (p + s - pMin) / sMin;
        if (p + s >= pMin + 3 * sMin) {
            reset();
            level = current;   // the batch that signalled drift still plots
            return State.DRIFT;
        }
        level = current;
        return p + s >= pMin + 2 * sMin ? State.WARNING : State.STABLE;
    }

    /**
     * @return (p + s - p<sub>min</sub>) / s<sub>min</sub> after the last batch, for plotting: 1 at the best level so
     *         far, ≥ 2 at WARNING, ≥ 3 at DRIFT (also for the batch that signalled drift, although the detector has
     *         reset); NaN while fewer than minSamples predictions were seen since the start or the last drift, and
     *         after {@link #reset()}
     */
    public double level() {
        return level;
    }

    /** @return p, the error rate since the start or the last drift; NaN before any prediction */
    public double errorRate() {
        return n == 0 ? Double.NaN : (double) errors / n;
    }

    /**
     * @return p<sub>min</sub>, the best error rate seen since the start or the last drift; NaN before minSamples
     *         predictions (read it before the {@link #update} that may signal drift and reset it)
     */
    public double minimumErrorRate() {
        return Double.isInfinite(pMin) ? Double.NaN : pMin;
    }

    /** Forgets every batch: the detector starts over as new. */
    public void reset() {
        errors = 0;
        n = 0;
        pMin = Double.POSITIVE_INFINITY;
        sMin = Double.POSITIVE_INFINITY;
        level = Double.NaN;
    }
}
