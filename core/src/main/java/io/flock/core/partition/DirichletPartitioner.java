package io.flock.core.partition;

import io.flock.core.InvalidInputException;
import io.flock.core.data.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Label-skewed non-IID split: for each class, device shares are drawn from Dirichlet(alpha) and the
 * class's samples are cut by those shares. Small alpha gives few classes per device; large alpha
 * approaches IID. Redraws (up to 1,000 times) until every device has at least {@code minPerDevice}
 * samples, as in the usual FL benchmarks.
 *
 * @param alpha        concentration, > 0
 * @param minPerDevice smallest acceptable device dataset, >= 1
 */
public record DirichletPartitioner(double alpha, int minPerDevice) implements Partitioner {
    /** Validates parameters. */
    public DirichletPartitioner {
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new InvalidInputException("dirichlet alpha must be finite and > 0, got " + alpha);
        }
        if (minPerDevice < 1) {
            throw new InvalidInputException("minimum samples per device must be >= 1, got " + minPerDevice);
        }
    }

    @Override
    public int[][] partition(int[] labels, int devices, Random random) {
        if (devices < 1 || (long) devices * minPerDevice > labels.length) {
            throw new InvalidInputException("cannot give " + devices + " devices " + minPerDevice + " of " + labels.length + " samples each");
        }
        int classes = Arrays.stream(labels).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            List<List<Integer>> parts = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                parts.add(new ArrayList<>());
            }
            for (List<Integer> members : byClass) {
                int[] idx = members.stream().mapToInt(Integer::intValue).toArray();
                Shuffle.shuffle(idx, random);
                double[] share = Gamma.dirichlet(alpha, devices, random);
                int from = 0;
                double cumulative = 0;
                for (int d = 0; d < devices; d++) {
                    cumulative += share[d];
                    int to = d == devices - 1 ? idx.length : (int) Math.round(cumulative * idx.length);
                    for (int k = from; k < Math.max(from, to); k++) {
                        parts.get(d).add(idx[k]);
                    }
                    from = Math.max(from, to);
                }
            }
            if (parts.stream().allMatch(p -> p.size() >= minPerDevice)) {
                int[][] out = new int[devices][];
                for (int d = 0; d < devices; d++) {
                    out[d] = parts.get(d).stream().mapToInt(Integer::intValue).sorted().toArray();
                }
                return out;
            }
        }
        throw new InvalidInputException("dirichlet(" + alpha + ") could not give every one of " + devices + " devices "
                + minPerDevice + " samples in 1000 draws");
    }

    /** Gamma and Dirichlet sampling (Marsaglia and Tsang 2000). */
    static final class Gamma {
        private Gamma() {
        }

        static double[] dirichlet(double alpha, int n, Random random) {
            double[] x = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                x[i] = sample(alpha, random);
                sum += x[i];
            }
            for (int i = 0; i < n; i++) {
                x[i] = sum > 0 ? x[i] / sum : 1.0 / n;
            }
            return x;
        }

        static double sample(double shape, Random random) {
            if (shape < 1) {
                return sample(shape + 1, random) * Math.pow(random.nextDouble(), 1 / shape);
            }
            double d = shape - 1.0 / 3;
            double c = 1 / Math.sqrt(9 * d);
            while (true) {
                double z;
                double v;
                do {
                    z = random.nextGaussian();
                    v = 1 + c * z;
                } while (v <= 0);
                v = v * v * v;
                double u = random.nextDouble();
                if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                    return d * v;
                }
            }
        }
    }
}
