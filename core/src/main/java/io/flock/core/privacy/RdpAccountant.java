package io.flock.core.privacy;

import io.flock.core.InvalidInputException;

/**
 * Rényi-DP accountant for DP-SGD / DP-FedAvg style training: a history of steps of the Poisson-subsampled Gaussian
 * mechanism (each record, or client, takes part in a step independently with probability q; the sum of clipped
 * contributions gets Gaussian noise of standard deviation z times the clip norm), converted to (epsilon, delta)-DP.
 *
 * <p>Orders: Opacus' {@code RDPAccountant.DEFAULT_ALPHAS}, {@code [1 + x/10 for x in 1..99] + [12..63]} (151
 * orders; dp-accounting's default list also has 11, 128, 256, 512 and 1024). RDP per order: Mironov, Talwar,
 * Zhang 2019, computed as Google dp-accounting does (see {@link SampledGaussianRdp}). Conversion: Balle et al. 2020,
 * "Hypothesis testing interpretations and Rényi DP", Theorem 21, as in Opacus {@code get_privacy_spent} and
 * dp-accounting {@code compute_epsilon}:
 * {@code eps = min over orders a of rdp(a) - (log(delta) + log(a)) / (a - 1) + log((a - 1) / a)}, orders with
 * NaN or infinite RDP ignored, clamped at 0; with dp-accounting's KL shortcut (an order with
 * {@code delta^2 > 1 - exp(-rdp)} gives 0), so that an all-zero history reports 0.
 *
 * <p>Thread safety: all instance methods are synchronized. Cost: {@link #epsilon(double)} is O(orders), about
 * a microsecond; {@link #compose} and {@link #epsilonAfter} compute the per-step RDP once per (q, z) pair in a row,
 * typically a few milliseconds.
 */
public final class RdpAccountant {
    static final double[] ORDERS = defaultOrders();

    private final double[] rdp = new double[ORDERS.length];
    private int steps;
    private double cachedQ = Double.NaN;
    private double cachedZ = Double.NaN;
    private double[] cachedPerStep;

    /** An accountant with an empty history: epsilon 0. */
    public RdpAccountant() {
    }

    /**
     * Adds {@code steps} steps at sampling rate q and noise multiplier z to the history.
     *
     * @param samplingRate    q in [0, 1]; 0 spends nothing, 1 is the Gaussian mechanism without sampling
     * @param noiseMultiplier z >= 0 and finite; 0 (with q > 0) means no privacy: epsilon becomes +Infinity
     * @param steps           >= 0
     * @throws InvalidInputException naming the bad value; the history is then unchanged
     */
    public synchronized void compose(double samplingRate, double noiseMultiplier, int steps) {
        int total = checkedTotal(samplingRate, noiseMultiplier, steps);
        addTo(rdp, samplingRate, noiseMultiplier, steps);
        this.steps = total;
    }

    /**
     * @param delta target delta in (0, 1)
     * @return the smallest epsilon over the orders such that the history is (epsilon, delta)-DP; 0 for an empty
     *         history, +Infinity if any step had z = 0 and q > 0
     */
    public synchronized double epsilon(double delta) {
        requireDelta(delta);
        return toEpsilon(rdp, delta);
    }

    /**
     * What {@link #epsilon(double)} would return after {@code compose(samplingRate, noiseMultiplier, steps)},
     * without changing the history. Same argument checks as those two methods.
     */
    public synchronized double epsilonAfter(double samplingRate, double noiseMultiplier, int steps, double delta) {
        checkedTotal(samplingRate, noiseMultiplier, steps);
        requireDelta(delta);
        double[] after = rdp.clone();
        addTo(after, samplingRate, noiseMultiplier, steps);
        return toEpsilon(after, delta);
    }

    /** @return total number of steps composed so far */
    public synchronized int steps() {
        return steps;
    }

    /**
     * One-shot: epsilon after {@code steps} steps at (q, z) from an empty history.
     *
     * @throws InvalidInputException as {@link #compose} and {@link #epsilon(double)}
     */
    public static double epsilon(double samplingRate, double noiseMultiplier, int steps, double delta) {
        return new RdpAccountant().epsilonAfter(samplingRate, noiseMultiplier, steps, delta);
    }

    private void addTo(double[] target, double q, double z, int n) {
        if (n == 0) {
            return;
        }
        if (q != cachedQ || z != cachedZ) {
            cachedPerStep = SampledGaussianRdp.perStep(q, z, ORDERS);
            cachedQ = q;
            cachedZ = z;
        }
        for (int k = 0; k < target.length; k++) {
            target[k] += cachedPerStep[k] * n;
        }
    }

    /** Checks compose's arguments; returns the new step total. */
    private int checkedTotal(double q, double z, int n) {
        if (!(q >= 0 && q <= 1)) {
            throw new InvalidInputException("samplingRate must be in [0, 1], got " + q);
        }
        if (!(z >= 0 && z < Double.POSITIVE_INFINITY)) {
            throw new InvalidInputException("noiseMultiplier must be finite and >= 0, got " + z);
        }
        if (n < 0) {
            throw new InvalidInputException("steps must be >= 0, got " + n);
        }
        if (n > Integer.MAX_VALUE - steps) {
            throw new InvalidInputException("steps " + n + " would overflow the total of " + steps);
        }
        return steps + n;
    }

    private static void requireDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new InvalidInputException("delta must be in (0, 1), got " + delta);
        }
    }

    /** Balle et al. 2020 Thm 21 with dp-accounting's KL shortcut; see the class comment. */
    static double toEpsilon(double[] rdp, double delta) {
        double best = Double.POSITIVE_INFINITY;
        double logDelta = Math.log(delta);
        for (int k = 0; k < ORDERS.length; k++) {
            double r = rdp[k];
            double a = ORDERS[k];
            if (Double.isNaN(r) || Double.isInfinite(r)) {
                continue;
            }
            if (delta * delta + Math.expm1(-r) > 0) {
                return 0;
            }
            double eps = r - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            best = Math.min(best, eps);
        }
        return Math.max(0, best);
    }

    private static double[] defaultOrders() {
        double[] orders = new double[99 + 52];
        for (int x = 1; x <= 99; x++) {
            orders[x - 1] = 1 + x / 10.0;
        }
        for (int a = 12; a <= 63; a++) {
            orders[99 + a - 12] = a;
        }
        return orders;
    }
}
