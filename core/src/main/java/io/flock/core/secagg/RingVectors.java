package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * How a device's update enters the secure sum, and how the coordinator reads the sum back: the P parameters in model
 * order, each clamped to the quantizer's range and multiplied by the device's weight ω in (0, 1], then ω itself, as
 * P + 1 ring coordinates ({@link RingQuantizer}). The unmasked sum then holds Σω·x and Σω, so Σω·x / Σω is the
 * weighted mean: FedAvg's, when ω is proportional to the example count. Clamping before weighting keeps every
 * coordinate within the range, so the sum cannot overflow. Stateless.
 */
public final class RingVectors {
    private RingVectors() {
    }

    /** @return the ring length of a model's secure vectors: its parameters plus the weight */
    public static int length(ModelParameters layout) {
        return Math.toIntExact(layout.totalSize() + 1);
    }

    /**
     * @param delta  the update (finite)
     * @param weight ω in (0, 1]
     * @return the P + 1 quantized coordinates
     * @throws InvalidInputException for a weight outside (0, 1] or a NaN
     */
    public static int[] encode(ModelParameters delta, double weight, RingQuantizer quantizer) {
        float[] flat = new float[Math.toIntExact(delta.totalSize())];
        float range = (float) quantizer.range();
        int at = 0;
        for (Tensor t : delta.tensors()) {
            for (float v : t.data()) {
                flat[at++] = (float) (weight * Math.max(-range, Math.min(range, v)));
            }
        }
        int[] q = quantizer.quantize(flat);
        int[] out = new int[q.length + 1];
        System.arraycopy(q, 0, out, 0, q.length);
        out[q.length] = quantizer.quantizeWeight(weight);
        return out;
    }

    /** @return Σω of an unmasked sum */
    public static double totalWeight(int[] sum, RingQuantizer quantizer) {
        return quantizer.dequantizeWeight(sum[sum.length - 1]);
    }

    /**
     * @param sum     an unmasked sum of {@link #encode}d vectors, P + 1 long
     * @param layout  the model's layout
     * @param divisor what the sum is divided by (Σω for the weighted mean), finite and > 0
     * @return Σω·x / divisor, laid out as the model
     */
    public static ModelParameters scaled(int[] sum, ModelParameters layout, RingQuantizer quantizer, double divisor) {
        if (sum.length != length(layout)) {
            throw new InvalidInputException("secure sum of " + sum.length + " coordinates, expected " + length(layout));
        }
        if (!(divisor > 0) || Double.isInfinite(divisor)) {
            throw new InvalidInputException("divisor must be finite and > 0, got " + divisor);
        }
        double[] values = quantizer.dequantize(sum);
        List<Tensor> out = new ArrayList<>(layout.tensors().size());
        int at = 0;
        for (Tensor t : layout.tensors()) {
            float[] part = new float[t.size()];
            for (int i = 0; i < part.length; i++) {
                part[i] = (float) (values[at++] / divisor);
            }
            out.add(new Tensor(t.name(), t.shape(), part));
        }
        return new ModelParameters(out);
    }
}
