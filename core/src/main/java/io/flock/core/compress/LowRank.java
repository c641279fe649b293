package io.flock.core.compress;

import io.flock.core.InvalidInputException;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Low-rank factorisation of an MLP's dense layers by truncated SVD (EJML): a layer's weights W (out x in) become
 * V (r x in) and U (out x r) with W ~ U.V, the r largest singular values split evenly between them (sqrt of
 * each on both sides). The rank is given, or the smallest that keeps a share of W's energy (the sum of squared
 * singular values). A layer stays dense where the factors would not be smaller than W (r (in + out) >= in out),
 * or where the rank would not be below min(in, out). The Frobenius error of a factorised layer is the square root
 * of the dropped singular values' squares. Convolutions are not factorised: a CNN is refused.
 */
public final class LowRank implements CompressionStep {
    private final int rank;
    private final double energy;

    private LowRank(int rank, double energy) {
        this.rank = rank;
        this.energy = energy;
    }

    /** @param rank the rank of every factorised layer, >= 1 */
    public static LowRank ofRank(int rank) {
        if (rank < 1) {
            throw new InvalidInputException("compression step 'lowrank:" + rank + "': the rank must be at least 1");
        }
        return new LowRank(rank, 0);
    }

    /** @param energy the share of each layer's energy to keep, in (0, 1] */
    public static LowRank ofEnergy(double energy) {
        if (!(energy > 0 && energy <= 1)) {
            throw new InvalidInputException("compression step 'lowrank:e" + energy + "': the energy share must be in (0, 1]");
        }
        return new LowRank(0, energy);
    }

    @Override
    public String name() {
        return rank > 0 ? "lowrank:" + rank : "lowrank:e" + CompressionPipeline.trim(energy);
    }

    @Override
    public void check(ModelSpec spec) {
        if (spec.kind() != ModelSpec.Kind.MLP) {
            throw new InvalidInputException("compression step '" + name() + "' factorises the dense layers of an MLP; " + spec
                    + " is a " + spec.kind().name().toLowerCase() + " (its convolutions stay dense)");
        }
        if (rank > 0) {
            int largest = 0;
            for (int l = 1; l < spec.layers().size(); l++) {
                largest = Math.max(largest, Math.min(spec.layers().get(l - 1), spec.layers().get(l)));
            }
            if (rank >= largest) {
                throw new InvalidInputException("compression step '" + name() + "': rank " + rank + " is not below min(in, out) of any"
                        + " layer of " + spec + " (at most " + largest + "), so nothing would be factorised");
            }
        }
    }

    @Override
    public Compressed apply(Compressed model) {
        ModelSpec spec = model.spec();
        check(spec);
        if (spec.factorised()) {
            throw new InvalidInputException("compression step '" + name() + "': " + spec + " is factorised already");
        }
        List<Tensor> in = model.parameters().tensors();
        List<Tensor> out = new ArrayList<>();
        List<Integer> ranks = new ArrayList<>(List.of(0));
        for (int l = 1; l < spec.layers().size(); l++) {
            Tensor w = in.get(2 * (l - 1));
            Tensor b = in.get(2 * (l - 1) + 1);
            int rows = w.shape()[0];
            int cols = w.shape()[1];
            Factors f = factorise(w.data(), rows, cols, rank, energy);
            if (f == null || (long) f.rank * (rows + cols) >= (long) rows * cols) {
                out.add(new Tensor(w.name(), w.shape(), w.data().clone()));
                ranks.add(0);
            } else {
                out.add(new Tensor(w.name() + "_v", new int[] {f.rank, cols}, f.v));
                out.add(new Tensor(w.name() + "_u", new int[] {rows, f.rank}, f.u));
                ranks.add(f.rank);
            }
            out.add(new Tensor(b.name(), b.shape(), b.data().clone()));
        }
        return new Compressed(new ModelSpec(spec.kind(), spec.layers(), ranks), new ModelParameters(out));
    }

    /**
     * The truncated SVD of one matrix.
     *
     * @param v     r x cols, row-major
     * @param u     rows x r, row-major
     * @param rank  r
     * @param sigma every singular value, largest first
     */
    record Factors(float[] v, float[] u, int rank, double[] sigma) {
    }

    /**
     * Multiplies a factorised model's factors back into dense weights (W = U.V): the nearest model of the dense spec
     * whose layers have the factorised ranks, which a fleet can fine-tune (devices train dense networks).
     *
     * @return the dense spec's parameters, weights named as before factorisation
     */
    public static ModelParameters expand(Compressed factorised) {
        ModelSpec spec = factorised.spec();
        List<Tensor> in = factorised.parameters().tensors();
        List<Tensor> out = new ArrayList<>();
        int at = 0;
        for (int l = 1; l < spec.layers().size(); l++) {
            int rank = spec.rank(l);
            if (rank == 0) {
                out.add(in.get(at++));
            } else {
                Tensor v = in.get(at++);
                Tensor u = in.get(at++);
                int rows = u.shape()[0];
                int cols = v.shape()[1];
                float[] w = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int k = 0; k < rank; k++) {
                        float a = u.data()[r * rank + k];
                        for (int c = 0; c < cols; c++) {
                            w[r * cols + c] += a * v.data()[k * cols + c];
                        }
                    }
                }
                String name = v.name().endsWith("_v") ? v.name().substring(0, v.name().length() - 2) : v.name();
                out.add(new Tensor(name, new int[] {rows, cols}, w));
            }
            out.add(in.get(at++));
        }
        return new ModelParameters(out);
    }

    /** @return the factors at the rank asked for (or the energy share's rank); null when that rank is not below min(rows, cols) */
    static Factors factorise(float[] w, int rows, int cols, int rank, double energy) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < w.length; i++) {
            m.data[i] = w[i];
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, true, true, true);
        if (!svd.decompose(m)) {
            throw new IllegalStateException("SVD did not converge for a " + rows + "x" + cols + " layer");
        }
        DMatrixRMaj uMat = svd.getU(null, false);
        DMatrixRMaj wMat = svd.getW(null);
        DMatrixRMaj vtMat = svd.getV(null, true);
        SingularOps_DDRM.descendingOrder(uMat, false, wMat, vtMat, true);
        int k = Math.min(rows, cols);
        double[] sigma = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            sigma[i] = wMat.get(i, i);
            total += sigma[i] * sigma[i];
        }
        int r = rank;
        if (r == 0) {
            double kept = 0;
            r = 0;
            while (r < k && kept < energy * total) {
                kept += sigma[r] * sigma[r];
                r++;
            }
        }
        if (r >= k) {
            return null;
        }
        float[] v = new float[r * cols];
        float[] u = new float[rows * r];
        for (int i = 0; i < r; i++) {
            double s = Math.sqrt(sigma[i]);
            for (int c = 0; c < cols; c++) {
                v[i * cols + c] = (float) (s * vtMat.get(i, c));
            }
            for (int row = 0; row < rows; row++) {
                u[row * r + i] = (float) (s * uMat.get(row, i));
            }
        }
        return new Factors(v, u, r, sigma);
    }
}
