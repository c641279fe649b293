package io.flock.core.train;

/**
 * The dense kernel's FedProx term (Li et al. 2020): {@link DenseSgd}'s step on {@code F(w) + (mu / 2) * ||w - w0||^2}
 * is {@code w -= lr * (g + mu * (w - w0))}, taken as this pull, {@code w -= lr * mu * (w - w0)} on the weights before
 * the step, then the plain step {@code w -= lr * g}. Holds {@code w0}, the start parameters, in {@link DenseSgd}'s
 * layouts. In the first layer's shifted form {@code W = Ws + C} ({@code Ws} starts at {@code W0}, {@code C} at 0),
 * {@code W - lr * mu * (W - W0)} is {@code Ws -= lr * mu * (Ws - W0)} with {@code C -= lr * mu * C}, and the column
 * sums of {@code Ws} follow: {@code s -= lr * mu * (s - colsum(W0))}. Not thread-safe; one per training.
 */
final class DenseProximalTerm {
    /** {@code lr * mu}, != 0. */
    private final float step;
    private final float[][][] startT;
    private final float[][][] startWeight;
    private final float[][] startBias;
    private final float[] startColumnSum;

    /**
     * Copies the start parameters from {@link DenseSgd}'s arrays (not kept).
     *
     * @param step      {@code lr * mu}, != 0
     * @param weightT   per layer {@code [in][out]}
     * @param weight    per layer {@code [out][in]}, null for the first
     * @param bias      per layer
     * @param columnSum the first layer's column sums
     */
    DenseProximalTerm(float step, float[][][] weightT, float[][][] weight, float[][] bias, float[] columnSum) {
        this.step = step;
        this.startT = copy(weightT);
        this.startWeight = copy(weight);
        this.startBias = copy(bias);
        this.startColumnSum = columnSum.clone();
    }

    /**
     * Pulls layer {@code l}'s parameters towards their start, in place.
     *
     * @param weight    the layer's {@code [out][in]} copy, null for the first layer
     * @param shift     the first layer's shift {@code C} when it skips a background value, else null
     * @param columnSum the first layer's column sums (used only with {@code shift})
     */
    void pull(int l, float[][] weightT, float[][] weight, float[] bias, float[] shift, float[] columnSum) {
        for (int i = 0; i < weightT.length; i++) {
            pull(weightT[i], startT[l][i]);
        }
        if (weight != null) {
            for (int j = 0; j < weight.length; j++) {
                pull(weight[j], startWeight[l][j]);
            }
        }
        pull(bias, startBias[l]);
        if (shift != null) {
            for (int j = 0; j < shift.length; j++) {
                shift[j] -= step * shift[j];
            }
            pull(columnSum, startColumnSum);
        }
    }

    /** y -= step * (y - y0) over whole rows (indexed from 0 by the loop variable, the shape C2 vectorises). */
    private void pull(float[] y, float[] y0) {
        float a = step;
        for (int j = 0; j < y.length; j++) {
            y[j] -= a * (y[j] - y0[j]);
        }
    }

    private static float[][][] copy(float[][][] m) {
        float[][][] out = new float[m.length][][];
        for (int l = 0; l < m.length; l++) {
            out[l] = m[l] == null ? null : copy(m[l]);
        }
        return out;
    }

    private static float[][] copy(float[][] m) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}
