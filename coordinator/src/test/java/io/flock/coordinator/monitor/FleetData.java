package io.flock.coordinator.monitor;

import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.DenseMlp;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import io.flock.core.stats.BinEdges;
import io.flock.core.stats.DriftSketch;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * Devices' answers on the bundled Fashion-MNIST subset for drift tests: a nearest-centroid linear model (about 65 % on
 * Fashion-MNIST, fitted on the training subset), and windows of answers drawn from the training subset with an optional
 * drift: a change to the pixels, a narrower class mix, or swapped true labels.
 */
final class FleetData {
    static final ModelSpec SPEC = ModelSpec.parse("mlp:784-10");
    static final FeaturePipeline PIPELINE = FeaturePipeline.parse("scale:255");
    private static final Path DATA = Path.of(System.getProperty("user.dir")).getParent().resolve("datasets/fashion-mnist-subset");
    final Dataset train;
    final Dataset heldOut;
    final ModelParameters centroids;

    FleetData() throws IOException {
        train = IdxFormat.readLabelled(DATA.resolve("train-images-idx3-ubyte.gz"), DATA.resolve("train-labels-idx1-ubyte.gz"));
        heldOut = IdxFormat.readLabelled(DATA.resolve("t10k-images-idx3-ubyte.gz"), DATA.resolve("t10k-labels-idx1-ubyte.gz"));
        float[] w = new float[10 * 784];
        float[] b = new float[10];
        int[] n = new int[10];
        float[] x = new float[784];
        for (int i = 0; i < train.size(); i++) {
            int c = train.label(i);
            train.copyRawFeatures(i, x, 0);
            for (int j = 0; j < 784; j++) {
                w[c * 784 + j] += x[j] / 255f;
            }
            n[c]++;
        }
        for (int c = 0; c < 10; c++) {
            double norm = 0;
            for (int j = 0; j < 784; j++) {
                w[c * 784 + j] /= n[c];
                norm += w[c * 784 + j] * w[c * 784 + j];
            }
            b[c] = (float) (-norm / 2);
        }
        centroids = new ModelParameters(List.of(new Tensor("w", new int[] {10, 784}, w), new Tensor("b", new int[] {10}, b)));
    }

    /** How a drifted device changes what it sees. */
    record Drift(IntUnaryOperator pixel, boolean rotate, IntPredicate keepClass, IntUnaryOperator trueLabel) {
        static final Drift NONE = new Drift(v -> v, false, c -> true, c -> c);
    }

    /**
     * @return one device's window: {@code answers} samples of the training subset, answered by the centroid model, each
     *         with feedback
     */
    DriftSketch window(List<BinEdges> edges, SplittableRandom random, int answers, Drift drift) {
        DriftSketch s = new DriftSketch(edges, 10);
        float[] raw = new float[784];
        float[] shifted = new float[784];
        try (DenseMlp model = new DenseMlp(SPEC)) {
            model.load(centroids);
            int added = 0;
            while (added < answers) {
                int i = random.nextInt(train.size());
                int label = train.label(i);
                if (!drift.keepClass().test(label)) {
                    continue;
                }
                train.copyRawFeatures(i, raw, 0);
                for (int j = 0; j < 784; j++) {
                    int src = drift.rotate() ? (27 - j % 28) * 28 + j / 28 : j;
                    shifted[j] = Math.max(0, Math.min(255, drift.pixel().applyAsInt(Math.round(raw[src]))));
                }
                float[] features = PIPELINE.prepare(shifted, 784, "m");
                Prediction p = Prediction.of(model.predictProbabilities(features), "m", 1);
                s.add(features, p.label(), Math.min(1.0, p.confidence()));
                s.addFeedback(p.label() == drift.trueLabel().applyAsInt(label));
                added++;
            }
        }
        return s;
    }
}
