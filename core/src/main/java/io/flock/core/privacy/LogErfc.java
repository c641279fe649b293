package io.flock.core.privacy;

/**
 * {@code log(erfc(x))} for any double, accurate in relative terms far into the tail where {@code erfc(x)}
 * itself underflows (about 1e-13 relative against SciPy's {@code log_ndtr} on [-40, 40]). Java has no erfc.
 *
 * <p>Method (CPython's former pure-C {@code erf}/{@code erfc}): the Taylor series of erf for |x| < 1.5, the
 * continued fraction of erfc for 1.5 <= |x| < 30 (kept in log space), and the asymptotic expansion beyond.
 */
final class LogErfc {
    private static final double SERIES_CUTOFF = 1.5;
    private static final int SERIES_TERMS = 25;
    private static final double CONTFRAC_CUTOFF = 30.0;
    private static final int CONTFRAC_TERMS = 50;
    private static final double SQRT_PI = Math.sqrt(Math.PI);
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

    private LogErfc() {
    }

    /** @return log(erfc(x)); -Infinity for +Infinity, log 2 for -Infinity, NaN for NaN */
    static double of(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < -SERIES_CUTOFF) {
            return Math.log(2.0 - Math.exp(ofLarge(-x)));
        }
        if (x < SERIES_CUTOFF) {
            return Math.log1p(-erfSeries(x));
        }
        return ofLarge(x);
    }

    /** log(erfc(x)) for x >= 1.5. */
    private static double ofLarge(double x) {
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        return x < CONTFRAC_CUTOFF ? logErfcContinuedFraction(x) : logErfcAsymptotic(x);
    }

    private static double erfSeries(double x) {
        double x2 = x * x;
        double acc = 0.0;
        double fk = SERIES_TERMS + 0.5;
        for (int i = 0; i < SERIES_TERMS; i++) {
            acc = 2.0 + x2 * acc / fk;
            fk -= 1.0;
        }
        return acc * x * Math.exp(-x2) / SQRT_PI;
    }

    private static double logErfcContinuedFraction(double x) {
        double x2 = x * x;
        double a = 0.0;
        double da = 0.5;
        double p = 1.0;
        double pLast = 0.0;
        double q = da + x2;
        double qLast = 1.0;
        for (int i = 0; i < CONTFRAC_TERMS; i++) {
            a += da;
            da += 2.0;
            double b = da + x2;
            double t = p;
            p = b * p - a * pLast;
            pLast = t;
            t = q;
            q = b * q - a * qLast;
            qLast = t;
        }
        return Math.log(p / q * x / SQRT_PI) - x2;
    }

    /** erfc(x) ~ exp(-x^2) / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - ...); error below 1e-15 for x >= 30. */
    private static double logErfcAsymptotic(double x) {
        double r = 1.0 / (x * x);
        double s = r * (-0.5 + r * (0.75 + r * (-15.0 / 8 + r * (105.0 / 16 + r * (-945.0 / 32)))));
        return -x * x - Math.log(x) - LOG_SQRT_PI + Math.log1p(s);
    }
}
