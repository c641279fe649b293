package io.flock.core.privacy;

import io.flock.core.InvalidInputException;

/**
 * Chooses the noise multiplier for a privacy budget: the inverse of {@link RdpAccountant#epsilon(double, double,
 * int, double)} in z, by doubling then bisection (epsilon falls as z grows).
 */
public final class NoiseCalibration {
    /** Largest noise multiplier searched; as Opacus' {@code MAX_SIGMA}. */
    static final double MAX_NOISE_MULTIPLIER = 1e6;
    /** Relative width of the final bracket. */
    static final double RELATIVE_TOLERANCE = 1e-3;

    private NoiseCalibration() {
    }

    /**
     * The smallest noise multiplier z (to {@value #RELATIVE_TOLERANCE} relative, rounded up so the budget holds)
     * such that {@code steps} steps at {@code samplingRate} and z spend at most {@code targetEpsilon} at
     * {@code delta}.
     *
     * @param targetEpsilon finite and > 0
     * @param samplingRate  q in [0, 1]
     * @param steps         >= 0
     * @param delta         in (0, 1)
     * @return z >= 0 with {@code RdpAccountant.epsilon(samplingRate, z, steps, delta) <= targetEpsilon}; 0 when
     *         nothing is spent (q = 0 or steps = 0)
     * @throws InvalidInputException naming the bad argument, or when even z = 1e6 does not reach the target
     */
    public static double noiseMultiplier(double targetEpsilon, double samplingRate, int steps, double delta) {
        if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new InvalidInputException("targetEpsilon must be finite and > 0, got " + targetEpsilon);
        }
        if (RdpAccountant.epsilon(samplingRate, 0, steps, delta) <= targetEpsilon) {
            return 0;                                  // q = 0 or steps = 0: no noise needed
        }
        double low = 0;
        double high = 1;
        while (RdpAccountant.epsilon(samplingRate, high, steps, delta) > targetEpsilon) {
            low = high;
            high *= 2;
            if (high > MAX_NOISE_MULTIPLIER) {
                throw new InvalidInputException("targetEpsilon " + targetEpsilon + " is out of reach: even noise "
                        + "multiplier " + MAX_NOISE_MULTIPLIER + " spends more over " + steps + " steps at q="
                        + samplingRate + ", delta=" + delta);
            }
        }
        while (high - low > RELATIVE_TOLERANCE * high) {
            double mid = (low + high) / 2;
            if (RdpAccountant.epsilon(samplingRate, mid, steps, delta) <= targetEpsilon) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }
}
