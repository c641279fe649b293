package io.flock.core.compress;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.model.DenseMlp;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LowRankTest {
    @Test
    void aDiagonalMatrix_truncatedAtRankTwo_losesExactlyItsSmallestSingularValues() {
        // singular values 4, 3, 2, 1 (a diagonal matrix, permuted): rank 2 keeps 4 and 3, the error is sqrt(2^2 + 1^2)
        float[] w = {0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 1, 0, 3, 0, 0};
        LowRank.Factors f = LowRank.factorise(w, 4, 4, 2, 0);
        assertThat(f.sigma()).containsExactly(new double[] {4, 3, 2, 1}, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(frobeniusError(w, f, 4, 4)).isCloseTo(Math.sqrt(5), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void aRandomLayer_errorMatchesTheDroppedSingularValues_andEnergyPicksTheRank() {
        Random r = new Random(3);
        int rows = 40;
        int cols = 60;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        LowRank.Factors f = LowRank.factorise(w, rows, cols, 12, 0);
        double dropped = 0;
        for (int i = 12; i < f.sigma().length; i++) {
            dropped += f.sigma()[i] * f.sigma()[i];
        }
        assertThat(frobeniusError(w, f, rows, cols)).isCloseTo(Math.sqrt(dropped), org.assertj.core.data.Offset.offset(1e-3));

        LowRank.Factors byEnergy = LowRank.factorise(w, rows, cols, 0, 0.5);
        double total = 0;
        for (double s : f.sigma()) {
            total += s * s;
        }
        double kept = 0;
        for (int i = 0; i < byEnergy.rank(); i++) {
            kept += f.sigma()[i] * f.sigma()[i];
        }
        double keptOneLess = kept - f.sigma()[byEnergy.rank() - 1] * f.sigma()[byEnergy.rank() - 1];
        assertThat(kept).as("the energy share is reached").isGreaterThanOrEqualTo(0.5 * total);
        assertThat(keptOneLess).as("with the smallest such rank").isLessThan(0.5 * total);
    }

    @Test
    void aFactorisedMlp_runsOnDenseMlp_asTheProductOfItsFactors() {
        Random r = new Random(5);
        ModelSpec spec = ModelSpec.parse("mlp:30-20-4");
        ModelParameters p = new ModelParameters(List.of(tensor("w1", 20, 30, r), tensor("b1", 20, 0, r), tensor("w2", 4, 20, r),
                tensor("b2", 4, 0, r)));
        Compressed c = LowRank.ofRank(6).apply(new Compressed(spec, p));
        assertThat(c.spec().toString()).as("the 4x20 output layer stays dense: rank 6 saves nothing there").isEqualTo("mlp:30-20r6-4");
        assertThat(ModelSpec.parse(c.spec().toString())).isEqualTo(c.spec());
        assertThat(c.parameters().tensors()).extracting(Tensor::name).containsExactly("w1_v", "w1_u", "b1", "w2", "b2");

        // the same network with W1 = U.V multiplied out must answer the same
        float[] v = c.parameters().tensors().get(0).data();
        float[] u = c.parameters().tensors().get(1).data();
        float[] product = new float[20 * 30];
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 30; j++) {
                double s = 0;
                for (int k = 0; k < 6; k++) {
                    s += u[i * 6 + k] * v[k * 30 + j];
                }
                product[i * 30 + j] = (float) s;
            }
        }
        ModelParameters multiplied = new ModelParameters(List.of(new Tensor("w1", new int[] {20, 30}, product), p.tensors().get(1),
                p.tensors().get(2), p.tensors().get(3)));
        float[] x = new float[30];
        for (int i = 0; i < 30; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (DenseMlp factorised = new DenseMlp(c.spec()); DenseMlp dense = new DenseMlp(spec)) {
            factorised.load(c.parameters());
            dense.load(multiplied);
            float[] a = factorised.predictProbabilities(x);
            float[] b = dense.predictProbabilities(x);
            for (int k = 0; k < 4; k++) {
                assertThat(a[k]).isCloseTo(b[k], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
        assertThat(c.parameters().totalSize()).isLessThan(p.totalSize());

        ModelParameters expanded = LowRank.expand(c);
        expanded.requireSameLayout(p);
        assertThat(expanded.tensors()).extracting(Tensor::name).containsExactly("w1", "b1", "w2", "b2");
        assertThat(expanded.tensors().get(0).data()).containsExactly(product, org.assertj.core.data.Offset.offset(1e-5f));
    }

    private static Tensor tensor(String name, int rows, int cols, Random r) {
        int n = cols == 0 ? rows : rows * cols;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian() * 0.3f;
        }
        return new Tensor(name, cols == 0 ? new int[] {rows} : new int[] {rows, cols}, x);
    }

    private static double frobeniusError(float[] w, LowRank.Factors f, int rows, int cols) {
        double e = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < f.rank(); k++) {
                    s += (double) f.u()[i * f.rank() + k] * f.v()[k * cols + j];
                }
                e += (w[i * cols + j] - s) * (w[i * cols + j] - s);
            }
        }
        return Math.sqrt(e);
    }
}
