package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Krum and multi-Krum (Blanchard et al. 2017, "Machine Learning with Adversaries"). Each update's score is the sum
 * of its squared L2 distances to its K - f - 2 nearest other updates; the m updates with the lowest scores are
 * averaged (m = 1 is Krum: the single most central update). Tolerates f arbitrary updates when K >= 2f + 3.
 * Unweighted by design (a weight is the sender's claim). Ties are broken by device id, so the result does not
 * depend on arrival order. Needs every update of the round: memory O(K·P) floats up to the buffer budget, then a
 * temporary file, plus K x K distances; time O(K²·P). The result reports the weight and contributors of the
 * selected updates only. Not thread-safe.
 */
public final class Krum extends BufferingAggregator {
    private final int f;
    private final int m;
    private List<String> selected = List.of();

    /**
     * @param layout      names and shapes every update must have
     * @param f           updates that may be arbitrary, >= 0
     * @param m           updates averaged: 1 = Krum; 0 = K - f of the round (multi-Krum's usual choice)
     * @param budgetBytes bytes of updates kept on the heap; past it they go to a temporary file
     */
    public Krum(ModelParameters layout, int f, int m, long budgetBytes) {
        super(layout, budgetBytes);
        if (f < 0 || m < 0) {
            throw new InvalidInputException("krum needs f >= 0 and m >= 0, got f=" + f + " m=" + m);
        }
        this.f = f;
        this.m = m;
    }

    /** @return 2f + 3, or m + f when that is more */
    @Override
    public int minimumUpdates() {
        return minimumUpdates(f, m);
    }

    static int minimumUpdates(int f, int m) {
        return Math.max(2 * f + 3, m + f);
    }

    /** @return the devices whose updates were averaged, most central first; empty before {@link #result()} */
    public List<String> selected() {
        return selected;
    }

    @Override
    AggregatedUpdate combine() {
        int k = count();
        double[][] distances = pairwiseSquaredDistances();
        int neighbours = k - f - 2;
        double[] scores = new double[k];
        for (int i = 0; i < k; i++) {
            double[] others = new double[k - 1];
            for (int j = 0, o = 0; j < k; j++) {
                if (j != i) {
                    others[o++] = distances[i][j];
                }
            }
            Arrays.sort(others);
            for (int n = 0; n < neighbours; n++) {
                scores[i] += others[n];
            }
        }
        Integer[] order = new Integer[k];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparing(buffer::device).thenComparing(i -> i));
        int keep = m == 0 ? k - f : m;
        int[] rows = new int[keep];
        List<String> devices = new ArrayList<>(keep);
        double weight = 0;
        int contributors = 0;
        for (int s = 0; s < keep; s++) {
            rows[s] = order[s];
            devices.add(buffer.device(rows[s]));
            weight += buffer.weight(rows[s]);
            contributors += buffer.contributors(rows[s]);
        }
        selected = List.copyOf(devices);
        return new AggregatedUpdate(buffer.toParameters(mean(rows)), weight, contributors);
    }

    private double[][] pairwiseSquaredDistances() {
        int k = count();
        int p = buffer.size();
        int block = buffer.blockSize();
        float[] rows = new float[k * block];
        double[][] d = new double[k][k];
        for (int from = 0; from < p; from += block) {
            int len = Math.min(block, p - from);
            for (int u = 0; u < k; u++) {
                buffer.read(u, from, rows, u * len, len);
            }
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    double s = squaredDistance(rows, a * len, b * len, len);
                    d[a][b] += s;
                    d[b][a] += s;
                }
            }
        }
        return d;
    }

    private static double squaredDistance(float[] x, int a, int b, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < len; j += 4) {
            double e0 = (double) x[a + j] - x[b + j];
            double e1 = (double) x[a + j + 1] - x[b + j + 1];
            double e2 = (double) x[a + j + 2] - x[b + j + 2];
            double e3 = (double) x[a + j + 3] - x[b + j + 3];
            s0 += e0 * e0;
            s1 += e1 * e1;
            s2 += e2 * e2;
            s3 += e3 * e3;
        }
        for (; j < len; j++) {
            double e = (double) x[a + j] - x[b + j];
            s0 += e * e;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** @return the unweighted mean of the given updates, summed in the given order */
    private float[] mean(int[] chosen) {
        int p = buffer.size();
        int block = Math.min(p, 1 << 16);
        float[] row = new float[block];
        double[] sum = new double[block];
        float[] out = new float[p];
        for (int from = 0; from < p; from += block) {
            int len = Math.min(block, p - from);
            Arrays.fill(sum, 0);
            for (int u : chosen) {
                buffer.read(u, from, row, 0, len);
                for (int j = 0; j < len; j++) {
                    sum[j] += row[j];
                }
            }
            for (int j = 0; j < len; j++) {
                out[from + j] = (float) (sum[j] / chosen.length);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return m == 1 ? "krum(f=" + f + ")" : "multi-krum(f=" + f + ", m=" + (m == 0 ? "K-f" : m) + ")";
    }
}
