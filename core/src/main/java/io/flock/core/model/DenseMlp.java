package io.flock.core.model;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;

/**
 * An MLP's forward pass in plain Java: dense layers with ReLU between them, softmax at the end, as
 * {@link ModelBlocks} builds it for DJL. Sums are taken in double, so probabilities agree with DJL's float
 * kernels to about 1e-6 (the argmax is the same but for exact ties). It needs no native engine: a device
 * that serves an MLP never loads PyTorch. A factorised layer ({@code 200r32} in the spec) holds two tensors
 * instead of its weights, V (rank x in) then U (out x rank), and computes U.(V.x) + b. Thread-safe: calls are
 * serialised.
 */
public final class DenseMlp implements InferenceModel {
    private final ModelSpec spec;
    private final int[] width;
    private float[][] weight;
    /** U of each factorised layer (its V is in weight), null for a dense one. */
    private float[][] factor;
    private float[][] bias;
    private final double[][] act;
    /** V . x of each factorised layer. */
    private final double[][] inner;

    /** @param spec an MLP spec; starts with no parameters */
    public DenseMlp(ModelSpec spec) {
        if (spec.kind() != ModelSpec.Kind.MLP) {
            throw new InvalidInputException("DenseMlp runs MLP specs, got " + spec);
        }
        this.spec = spec;
        this.width = spec.layers().stream().mapToInt(Integer::intValue).toArray();
        this.act = new double[width.length][];
        this.inner = new double[width.length][];
        for (int l = 0; l < width.length; l++) {
            act[l] = new double[width[l]];
            inner[l] = l + 1 < width.length && spec.rank(l + 1) > 0 ? new double[spec.rank(l + 1)] : null;
        }
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public synchronized void load(ModelParameters parameters) {
        List<Tensor> t = parameters.tensors();
        int layers = width.length - 1;
        int expected = 0;
        for (int l = 1; l <= layers; l++) {
            expected += spec.rank(l) > 0 ? 3 : 2;
        }
        if (t.size() != expected) {
            throw new InvalidInputException(spec + " has " + expected + " tensors, got " + t.size());
        }
        float[][] w = new float[layers][];
        float[][] u = new float[layers][];
        float[][] b = new float[layers][];
        int at = 0;
        for (int l = 0; l < layers; l++) {
            int rank = spec.rank(l + 1);
            if (rank > 0) {
                w[l] = t.get(at++).data();
                u[l] = t.get(at++).data();
                check(l, w[l].length == rank * width[l] && u[l].length == width[l + 1] * rank, rank + "x" + width[l] + " and "
                        + width[l + 1] + "x" + rank + " factors", w[l].length + " and " + u[l].length);
            } else {
                w[l] = t.get(at++).data();
                check(l, w[l].length == width[l] * width[l + 1], width[l + 1] + "x" + width[l] + " weights", String.valueOf(w[l].length));
            }
            b[l] = t.get(at++).data();
            check(l, b[l].length == width[l + 1], width[l + 1] + " biases", String.valueOf(b[l].length));
        }
        weight = w;
        factor = u;
        bias = b;
    }

    private void check(int layer, boolean ok, String wanted, String got) {
        if (!ok) {
            throw new InvalidInputException("layer " + layer + " of " + spec + " takes " + wanted + ", got " + got);
        }
    }

    @Override
    public synchronized float[] predictProbabilities(float[] features) {
        if (weight == null) {
            throw new IllegalStateException("no parameters loaded");
        }
        int in = width[0];
        int classes = width[width.length - 1];
        if (features.length == 0 || features.length % in != 0) {
            throw new InvalidInputException("expected a multiple of " + in + " features, got " + features.length);
        }
        int rows = features.length / in;
        float[] out = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < in; i++) {
                act[0][i] = features[r * in + i];
            }
            for (int l = 0; l + 1 < width.length; l++) {
                dense(l, l + 2 < width.length);
            }
            softmax(act[width.length - 1], out, r * classes);
        }
        return out;
    }

    /** act[l + 1] = W[l] . act[l] + b[l] (or U[l] . (V[l] . act[l]) + b[l]), then ReLU unless it is the output layer. */
    private void dense(int l, boolean relu) {
        double[] x = act[l];
        double[] y = act[l + 1];
        float[] b = bias[l];
        if (factor[l] != null) {
            double[] t = inner[l];
            multiply(weight[l], x, t);
            multiply(factor[l], t, y);
        } else {
            multiply(weight[l], x, y);
        }
        for (int j = 0; j < y.length; j++) {
            double v = y[j] + b[j];
            y[j] = relu && v < 0 ? 0 : v;
        }
    }

    /** y = w . x for a row-major w of y.length x x.length. */
    private static void multiply(float[] w, double[] x, double[] y) {
        int n = x.length;
        for (int j = 0; j < y.length; j++) {
            int row = j * n;
            double s0 = 0;
            double s1 = 0;
            int i = 0;
            for (; i + 1 < n; i += 2) {
                s0 += w[row + i] * x[i];
                s1 += w[row + i + 1] * x[i + 1];
            }
            for (; i < n; i++) {
                s0 += w[row + i] * x[i];
            }
            y[j] = s0 + s1;
        }
    }

    private static void softmax(double[] logits, float[] out, int offset) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < logits.length; k++) {
            sum += Math.exp(logits[k] - max);
        }
        for (int k = 0; k < logits.length; k++) {
            out[offset + k] = (float) (Math.exp(logits[k] - max) / sum);
        }
    }

    @Override
    public synchronized void close() {
        weight = null;
        factor = null;
        bias = null;
    }
}
