package io.flock.core.train;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Mini-batch SGD for an MLP (linear layers with ReLU between them, softmax cross-entropy on the
 * logits) in plain Java arrays: the same maths as DJL's {@code Linear}/{@code softmaxCrossEntropyLoss}
 * /{@code Sgd} (mean loss over the batch, no weight decay, no momentum), without a native call per
 * operation. At the batch sizes devices use (10 to 64 samples), per-call overhead, not arithmetic, is
 * what a step costs in DJL, so this runs a 784-200-200-10 step several times faster on one core
 * and lets trainings on different threads run fully in parallel.
 *
 * <p>Order of use: construct from the start parameters, {@link #step} per batch, then
 * {@link #parameters()}. Weights are kept transposed ({@code [in][out]}) so the forward pass and the
 * update are contiguous multiply-adds the JIT vectorises. Not thread-safe; one instance per training.
 *
 * <p>Inputs equal to the {@code background} value (what a raw 0 becomes after the feature pipeline:
 * 0 for "scale:255", -0.81 for Fashion-MNIST's normalisation) are skipped in the first layer, whose
 * cost dominates: with {@code d = x - background}, {@code W x = W d + background * colsum(W)}, and
 * the part of the update that is the same for every input row, {@code -lr * background * sum(g)},
 * is kept as one shift vector {@code C} added to every row ({@code W = Ws + C}, folded back in
 * {@link #parameters()}). The column sums of {@code Ws} are updated with each step. Same maths as the
 * dense form; the float rounding differs in the last bits.
 *
 * <p>With FedProx's proximal term ({@code mu > 0}) every parameter's gradient gets {@code mu * (w - w0)}, where
 * {@code w0} is the start parameters: each layer is pulled towards its start before it takes the step's gradient
 * ({@link DenseProximalTerm}). With {@code mu = 0} nothing of it runs.
 */
final class DenseSgd {
    private final int layers;
    private final int[] width;
    private final String[] names;
    /** Per layer, {@code [in][out]}: one row per input, so every inner loop is a whole-row multiply-add. */
    private final float[][][] weightT;
    private final float[][] bias;
    private final float learningRate;
    /** Per layer boundary, {@code [row][width]}: activations (act[0] = input, act[layers] = logits). */
    private final float[][][] act;
    private final float[][][] grad;
    /**
     * Layers after the first: the same weights {@code [out][in]}, so back-propagation is whole-row multiply-adds too.
     * Updated with {@link #weightT} in every step (cheaper than transposing it per step); the two copies are the
     * same sums in a different order, so they may differ in the last bits.
     */
    private final float[][][] weight;
    /** The first layer's input that costs nothing (see the class comment). */
    private final float background;
    /** First layer: the shift {@code C} shared by every row of {@code Ws}, and the column sums of {@code Ws}. */
    private final float[] shift;
    private final float[] columnSum;
    /** Per row of the batch: the sum of {@code x - background} over the inputs. */
    private final float[] offBackground;
    /** Scratch for {@link #multiplyAddAll}: which rows take part, and their coefficients. */
    private final int[] which;
    private final float[] coef;
    /** Scratch for {@link #update}: {@code -lr * (input - background)}, {@code [input][row]}. */
    private final float[] scaledInput;
    /** The loss on soft targets when a teacher's are given to {@link #step}; null = labels only. */
    private final Distillation distillation;
    /** FedProx's pull towards the start parameters; null = plain SGD. */
    private final DenseProximalTerm proximal;

    /**
     * @param start    parameters in DJL block order: weight {@code [out][in]}, bias {@code [out]}, per layer
     * @param sizes    layer widths, input first (the MLP spec's layers)
     * @param maxBatch largest batch {@link #step} will see
     * @param background the prepared value of a raw 0 input (0 when inputs are only scaled)
     */
    DenseSgd(ModelParameters start, List<Integer> sizes, float learningRate, int maxBatch, float background) {
        this(start, sizes, learningRate, maxBatch, background, null);
    }

    /** @param distillation the loss for steps with soft targets; null = labels only */
    DenseSgd(ModelParameters start, List<Integer> sizes, float learningRate, int maxBatch, float background, Distillation distillation) {
        this(start, sizes, learningRate, 0f, maxBatch, background, distillation);
    }

    /** @param proximalMu FedProx's mu, finite and >= 0 (0 = plain SGD): every step pulls the parameters towards {@code start} */
    DenseSgd(ModelParameters start, List<Integer> sizes, float learningRate, float proximalMu, int maxBatch, float background,
             Distillation distillation) {
        this.distillation = distillation;
        this.background = background;
        this.offBackground = new float[maxBatch];
        int widest = Math.max(maxBatch, sizes.stream().mapToInt(Integer::intValue).max().orElse(0));
        this.which = new int[widest];
        this.coef = new float[widest];
        this.scaledInput = new float[maxBatch * sizes.stream().mapToInt(Integer::intValue).max().orElse(0)];
        this.layers = sizes.size() - 1;
        this.width = sizes.stream().mapToInt(Integer::intValue).toArray();
        this.learningRate = learningRate;
        this.names = new String[2 * layers];
        this.weightT = new float[layers][][];
        this.weight = new float[layers][][];
        this.bias = new float[layers][];
        this.act = new float[layers + 1][][];
        this.grad = new float[layers + 1][][];
        List<Tensor> t = start.tensors();
        requireLayout(t, width);
        for (int l = 0; l < layers; l++) {
            int in = width[l];
            int out = width[l + 1];
            Tensor w = t.get(2 * l);
            names[2 * l] = w.name();
            names[2 * l + 1] = t.get(2 * l + 1).name();
            weightT[l] = transpose(w.data(), out, in);
            if (l > 0) {
                weight[l] = new float[out][];
                for (int j = 0; j < out; j++) {
                    weight[l][j] = java.util.Arrays.copyOfRange(w.data(), j * in, (j + 1) * in);
                }
            }
            bias[l] = t.get(2 * l + 1).data().clone();
        }
        this.shift = new float[width[1]];
        this.columnSum = new float[width[1]];
        if (background != 0f) {
            for (float[] row : weightT[0]) {
                multiplyAdd(columnSum, row, 1f);
            }
        }
        for (int l = 0; l <= layers; l++) {
            act[l] = new float[maxBatch][width[l]];
            grad[l] = new float[maxBatch][width[l]];
        }
        this.proximal = learningRate * proximalMu == 0f ? null
                : new DenseProximalTerm(learningRate * proximalMu, weightT, weight, bias, columnSum);
    }

    /** @throws InvalidInputException unless the tensors are weight {@code [out][in]} then bias {@code [out]} per layer */
    private static void requireLayout(List<Tensor> t, int[] width) {
        int layers = width.length - 1;
        if (t.size() != 2 * layers) {
            throw new InvalidInputException("an MLP of widths " + java.util.Arrays.toString(width) + " has " + 2 * layers
                    + " tensors, got " + t.size());
        }
        for (int l = 0; l < layers; l++) {
            int[] w = {width[l + 1], width[l]};
            int[] b = {width[l + 1]};
            if (!java.util.Arrays.equals(t.get(2 * l).shape(), w) || !java.util.Arrays.equals(t.get(2 * l + 1).shape(), b)) {
                throw new InvalidInputException("layer " + l + " should have weight " + java.util.Arrays.toString(w) + " and bias "
                        + java.util.Arrays.toString(b) + ", got " + t.get(2 * l) + " and " + t.get(2 * l + 1));
            }
        }
    }

    /**
     * One SGD step on a prepared batch.
     *
     * @param x      {@code rows * inputs} features, row-major (read, not kept)
     * @param labels class index per row
     * @return the batch's mean cross-entropy loss
     */
    double step(float[] x, float[] labels, int rows) {
        return step(x, labels, null, rows);
    }

    /**
     * One SGD step on a prepared batch, on the distillation loss when soft targets are given.
     *
     * @param soft {@code rows * classes} soft targets, row-major; null = labels only
     * @return the batch's mean loss
     * @throws IllegalStateException when soft targets come without a distillation loss
     */
    double step(float[] x, float[] labels, float[] soft, int rows) {
        if (soft != null && distillation == null) {
            throw new IllegalStateException("soft targets given to a trainer made without a distillation loss");
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * width[0], act[0][r], 0, width[0]);
        }
        for (int l = 0; l < layers; l++) {
            forward(l, rows);
        }
        double loss = soft == null ? softmaxCrossEntropy(rows, labels) : distilled(rows, labels, soft);
        for (int l = layers - 1; l >= 0; l--) {
            if (l > 0) {
                backpropagate(l, rows);
            }
            update(l, rows);
        }
        return loss;
    }

    /** act[l+1] = act[l] W^T + b, then ReLU except on the logits. */
    private void forward(int l, int rows) {
        int in = width[l];
        float[][] a = act[l];
        float[][] z = act[l + 1];
        float[][] wt = weightT[l];
        float b0 = l == 0 ? background : 0f;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bias[l], 0, z[r], 0, bias[l].length);
        }
        for (int r = 0; r < rows; r++) {
            float[] ar = a[r];
            int n = 0;
            for (int i = 0; i < in; i++) {
                float d = ar[i] - b0;
                which[n] = i;
                coef[n] = d;
                n += d != 0f ? 1 : 0;
            }
            multiplyAddAll(z[r], wt, which, coef, n);
        }
        if (b0 != 0f) {
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                for (int i = 0; i < in; i++) {
                    sum += a[r][i] - b0;
                }
                offBackground[r] = sum;
                // (Ws + C) d + b0 * colsum(Ws + C) = Ws d + C * sum(d) + b0 * (colsum(Ws) + in * C)
                float[] zr = z[r];
                for (int j = 0; j < zr.length; j++) {
                    zr[j] += shift[j] * sum + b0 * (columnSum[j] + in * shift[j]);
                }
            }
        }
        if (l < layers - 1) {
            for (int r = 0; r < rows; r++) {
                float[] zr = z[r];
                for (int j = 0; j < zr.length; j++) {
                    zr[j] = Math.max(zr[j], 0f);
                }
            }
        }
    }

    /** Turns the logits' gradient slot into d(mean loss)/d(logits); returns the mean loss. */
    private double softmaxCrossEntropy(int rows, float[] labels) {
        int classes = width[layers];
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            float[] z = act[layers][r];
            float[] g = grad[layers][r];
            float max = z[0];
            for (int c = 1; c < classes; c++) {
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[c] - max);
            }
            double logSum = Math.log(sum) + max;
            int label = (int) labels[r];
            loss += logSum - z[label];
            for (int c = 0; c < classes; c++) {
                float p = (float) Math.exp(z[c] - logSum);
                g[c] = (p - (c == label ? 1f : 0f)) / rows;
            }
        }
        return loss / rows;
    }

    /** As {@link #softmaxCrossEntropy}, on the distillation loss. */
    private double distilled(int rows, float[] labels, float[] soft) {
        int classes = width[layers];
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            loss += distillation.lossAndGradient(act[layers][r], 0, classes, (int) labels[r], soft, r * classes, grad[layers][r],
                    1f / rows);
        }
        return loss / rows;
    }

    /** grad[l] = grad[l+1] W, masked by ReLU (act[l] > 0); uses the weights before their update. */
    private void backpropagate(int l, int rows) {
        int in = width[l];
        int out = width[l + 1];
        float[][] w = weight[l];
        for (int r = 0; r < rows; r++) {
            float[] gIn = grad[l][r];
            float[] gOut = grad[l + 1][r];
            java.util.Arrays.fill(gIn, 0f);
            int n = 0;
            for (int j = 0; j < out; j++) {
                float g = gOut[j];
                which[n] = j;
                coef[n] = g;
                n += g != 0f ? 1 : 0;
            }
            multiplyAddAll(gIn, w, which, coef, n);
            float[] a = act[l][r];
            for (int i = 0; i < in; i++) {
                gIn[i] = a[i] > 0f ? gIn[i] : 0f;
            }
        }
    }

    /** W -= lr * grad[l+1]^T act[l]; b -= lr * column sums of grad[l+1]; first the proximal pull, if any. */
    private void update(int l, int rows) {
        if (proximal != null) {
            proximal.pull(l, weightT[l], weight[l], bias[l], l == 0 && background != 0f ? shift : null, columnSum);
        }
        int in = width[l];
        float[][] a = act[l];
        float[][] g = grad[l + 1];
        float[][] wt = weightT[l];
        float b0 = l == 0 ? background : 0f;
        float[] scaled = scaledInput;
        for (int r = 0; r < rows; r++) {
            float[] ar = a[r];
            for (int i = 0; i < in; i++) {
                scaled[i * rows + r] = -learningRate * (ar[i] - b0);
            }
        }
        for (int i = 0; i < in; i++) {
            int n = 0;
            for (int r = 0, k = i * rows; r < rows; r++, k++) {
                float s = scaled[k];
                which[n] = r;
                coef[n] = s;
                n += s != 0f ? 1 : 0;
            }
            multiplyAddAll(wt[i], g, which, coef, n);
        }
        if (l > 0) {
            float[][] w = weight[l];
            for (int j = 0; j < w.length; j++) {
                int n = 0;
                for (int r = 0; r < rows; r++) {
                    float s = -learningRate * g[r][j];
                    which[n] = r;
                    coef[n] = s;
                    n += s != 0f ? 1 : 0;
                }
                multiplyAddAll(w[j], a, which, coef, n);
            }
        }
        if (b0 != 0f) {
            for (int r = 0; r < rows; r++) {
                multiplyAdd(columnSum, g[r], -learningRate * offBackground[r]);
                multiplyAdd(shift, g[r], -learningRate * b0);
            }
        }
        for (int r = 0; r < rows; r++) {
            multiplyAdd(bias[l], g[r], -learningRate);
        }
    }

    /**
     * y += sum over k < count of coef[k] * x[which[k]], four rows per pass so that each element of
     * {@code y} is loaded and stored once per four multiply-adds instead of once per one.
     */
    private static void multiplyAddAll(float[] y, float[][] x, int[] which, float[] coef, int count) {
        int k = 0;
        for (; k + 4 <= count; k += 4) {
            multiplyAdd4(y, x[which[k]], coef[k], x[which[k + 1]], coef[k + 1], x[which[k + 2]], coef[k + 2],
                    x[which[k + 3]], coef[k + 3]);
        }
        switch (count - k) {
            case 3 -> multiplyAdd3(y, x[which[k]], coef[k], x[which[k + 1]], coef[k + 1], x[which[k + 2]], coef[k + 2]);
            case 2 -> multiplyAdd2(y, x[which[k]], coef[k], x[which[k + 1]], coef[k + 1]);
            case 1 -> multiplyAdd(y, x[which[k]], coef[k]);
            default -> { }
        }
    }

    /** y += s0 * x0 + s1 * x1 + s2 * x2 over whole rows. */
    private static void multiplyAdd3(float[] y, float[] x0, float s0, float[] x1, float s1, float[] x2, float s2) {
        for (int j = 0; j < y.length; j++) {
            y[j] += s0 * x0[j] + s1 * x1[j] + s2 * x2[j];
        }
    }

    /** y += s0 * x0 + s1 * x1 over whole rows. */
    private static void multiplyAdd2(float[] y, float[] x0, float s0, float[] x1, float s1) {
        for (int j = 0; j < y.length; j++) {
            y[j] += s0 * x0[j] + s1 * x1[j];
        }
    }

    /** y += s0 * x0 + s1 * x1 + s2 * x2 + s3 * x3 over whole rows (vectorised like {@link #multiplyAdd}). */
    private static void multiplyAdd4(float[] y, float[] x0, float s0, float[] x1, float s1, float[] x2, float s2,
                                     float[] x3, float s3) {
        for (int j = 0; j < y.length; j++) {
            y[j] += s0 * x0[j] + s1 * x1[j] + s2 * x2[j] + s3 * x3[j];
        }
    }

    /**
     * y += s * x over whole rows. Both arrays indexed from 0 by the loop variable alone is the shape
     * HotSpot's C2 vectorises (with offsets it cannot rule out overlap and stays scalar, ~4x slower).
     */
    private static void multiplyAdd(float[] y, float[] x, float s) {
        for (int j = 0; j < y.length; j++) {
            y[j] += s * x[j];
        }
    }

    /** @return the trained parameters in the start layout (new arrays) */
    ModelParameters parameters() {
        List<Tensor> out = new ArrayList<>(2 * layers);
        for (int l = 0; l < layers; l++) {
            int in = width[l];
            int o = width[l + 1];
            float[] w = new float[o * in];
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < o; j++) {
                    w[j * in + i] = l == 0 ? weightT[l][i][j] + shift[j] : weightT[l][i][j];
                }
            }
            out.add(new Tensor(names[2 * l], new int[] {o, in}, w));
            out.add(new Tensor(names[2 * l + 1], new int[] {o}, bias[l].clone()));
        }
        return new ModelParameters(out);
    }

    /**
     * @return the {@code [rows][cols]} row-major matrix as {@code [cols][rows]}, copied in 16 x 16 tiles so that
     *         reads and writes both stay in cache (a device builds this once per task: 784 x 200 for W1's first layer)
     */
    private static float[][] transpose(float[] m, int rows, int cols) {
        float[][] out = new float[cols][rows];
        for (int r0 = 0; r0 < rows; r0 += 16) {
            int r1 = Math.min(rows, r0 + 16);
            for (int c0 = 0; c0 < cols; c0 += 16) {
                int c1 = Math.min(cols, c0 + 16);
                for (int r = r0; r < r1; r++) {
                    int base = r * cols;
                    for (int c = c0; c < c1; c++) {
                        out[c][r] = m[base + c];
                    }
                }
            }
        }
        return out;
    }
}
