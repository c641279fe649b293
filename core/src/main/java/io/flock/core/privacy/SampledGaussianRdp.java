package io.flock.core.privacy;

/**
 * Rényi DP of one step of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019, Sec. 3.3),
 * ported from Google dp-accounting {@code rdp/rdp_privacy_accountant.py}
 * ({@code _compute_rdp_poisson_subsampled_gaussian}, {@code _compute_log_a_int}, {@code _compute_log_a_frac}).
 *
 * <p>Like dp-accounting (and unlike Opacus, which subtracts the negative terms), the fractional-order series adds
 * the absolute values of its terms: an upper bound, so never an under-estimate. An order whose series does not
 * converge within {@value #MAX_FRAC_TERMS} terms gets +Infinity, which the conversion to epsilon then ignores.
 */
final class SampledGaussianRdp {
    static final int MAX_FRAC_TERMS = 1000;
    private static final double LOG_HALF = Math.log(0.5);
    private static final double SQRT2 = Math.sqrt(2.0);

    private SampledGaussianRdp() {
    }

    /**
     * @param q     sampling rate in [0, 1]
     * @param sigma noise multiplier, >= 0
     * @param alpha RDP order, > 1
     * @return RDP of one step at order alpha; 0 when q = 0, +Infinity when sigma = 0 (and q > 0)
     */
    static double perStep(double q, double sigma, double alpha) {
        if (q == 0) {
            return 0;
        }
        if (sigma == 0 || Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) ? logAInt(q, sigma, (int) alpha) : logAFrac(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** @return per-step RDP at each order */
    static double[] perStep(double q, double sigma, double[] orders) {
        double[] out = new double[orders.length];
        for (int k = 0; k < orders.length; k++) {
            out[k] = perStep(q, sigma, orders[k]);
        }
        return out;
    }

    /** log(A_alpha) for integer alpha, 0 < q < 1: the binomial expansion, summed in log space. */
    static double logAInt(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        double logQ = Math.log(q);
        double log1mq = Math.log1p(-q);
        double logComb = 0;                                  // log C(alpha, i), updated incrementally
        for (int i = 0; i <= alpha; i++) {
            double s = logComb + i * logQ + (alpha - i) * log1mq + ((double) i * i - i) / (2 * sigma * sigma);
            logA = logAdd(logA, s);
            logComb += Math.log(alpha - i) - Math.log(i + 1.0);
        }
        return logA;
    }

    /** log(A_alpha) for fractional alpha, 0 < q < 1: the two-sided series with erfc tails. */
    static double logAFrac(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double logQ = Math.log(q);
        double log1mq = Math.log1p(-q);
        double twoSigma2 = 2 * sigma * sigma;
        double lastS0 = Double.NEGATIVE_INFINITY;
        double lastS1 = Double.NEGATIVE_INFINITY;
        double logComb = 0;                                  // log |C(alpha, i)|, updated incrementally
        for (int i = 0; i < MAX_FRAC_TERMS; i++) {
            double j = alpha - i;
            double logT0 = logComb + i * logQ + j * log1mq;
            double logT1 = logComb + j * logQ + i * log1mq;
            double logE0 = LOG_HALF + LogErfc.of((i - z0) / (SQRT2 * sigma));
            double logE1 = LOG_HALF + LogErfc.of((z0 - j) / (SQRT2 * sigma));
            double logS0 = logT0 + ((double) i * i - i) / twoSigma2 + logE0;
            double logS1 = logT1 + (j * j - j) / twoSigma2 + logE1;
            logA0 = logAdd(logA0, logS0);
            logA1 = logAdd(logA1, logS1);
            double total = logAdd(logA0, logA1);
            if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < total - 30) {
                return total;
            }
            lastS0 = logS0;
            lastS1 = logS1;
            logComb += Math.log(Math.abs(alpha - i)) - Math.log(i + 1.0);
        }
        return Double.POSITIVE_INFINITY;
    }

    /** @return log(exp(x) + exp(y)) */
    static double logAdd(double x, double y) {
        double a = Math.min(x, y);
        double b = Math.max(x, y);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }
}
