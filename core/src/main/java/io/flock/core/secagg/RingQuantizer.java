package io.flock.core.secagg;

import io.flock.core.InvalidInputException;

/**
 * Fixed-point encoding of float updates into Z_2^32 for secure summation. Each value is clamped to
 * [-range, range], multiplied by {@link #scale()} = floor((2^31 - 1) / (participants x range)), rounded
 * ({@link Math#round}) and clamped to +-floor((2^31 - 1) / participants). So the sum of up to {@code participants}
 * quantized values stays within the signed 32-bit range, and the unmasked ring sum read as a signed int is the exact
 * integer sum; {@link #dequantize} divides it by the scale. Weights in (0, 1] use their own scale,
 * floor((2^31 - 1) / participants), with the same guarantee. Resolution per value: 1 / scale.
 *
 * @param range        the largest magnitude kept, finite and positive
 * @param participants the most inputs ever summed, at least 1
 */
public record RingQuantizer(double range, int participants) {
    private static final double MAX = Integer.MAX_VALUE;

    /** Validates; the scale must come out at least 1. */
    public RingQuantizer {
        if (!(range > 0) || Double.isInfinite(range)) {
            throw new InvalidInputException("quantizer range " + range + ", need a finite positive value");
        }
        if (participants < 1) {
            throw new InvalidInputException("quantizer participants " + participants + ", need at least 1");
        }
        if (Math.floor(MAX / (participants * range)) < 1) {
            throw new InvalidInputException("quantizer range " + range + " x participants " + participants
                    + " exceeds 2^31 - 1");
        }
    }

    /** @return floor((2^31 - 1) / (participants x range)), a whole number */
    public double scale() {
        return Math.floor(MAX / (participants * range));
    }

    /** @return floor((2^31 - 1) / participants), the scale of weights */
    public int weightScale() {
        return Integer.MAX_VALUE / participants;
    }

    /** @throws InvalidInputException for a NaN, naming its index; infinities clamp like any value out of range */
    public int[] quantize(float[] values) {
        double scale = scale();
        int cap = Integer.MAX_VALUE / participants;
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (Float.isNaN(v)) {
                throw new InvalidInputException("value at index " + i + " is NaN");
            }
            double clamped = Math.max(-range, Math.min(range, v));
            long q = Math.round(clamped * scale);
            out[i] = (int) Math.max(-cap, Math.min(cap, q));
        }
        return out;
    }

    /** @return each int of the unmasked sum, read as signed, divided by the scale */
    public double[] dequantize(int[] sum) {
        double scale = scale();
        double[] out = new double[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = sum[i] / scale;
        }
        return out;
    }

    /** @throws InvalidInputException unless 0 &lt; weight &lt;= 1 */
    public int quantizeWeight(double weight) {
        if (!(weight > 0 && weight <= 1)) {
            throw new InvalidInputException("weight " + weight + " outside (0, 1]");
        }
        return (int) Math.round(weight * weightScale());
    }

    /** @return a summed weight coordinate, read as signed, divided by the weight scale */
    public double dequantizeWeight(int sum) {
        return (double) sum / weightScale();
    }
}
