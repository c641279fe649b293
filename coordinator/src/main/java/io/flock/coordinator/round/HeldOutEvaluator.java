package io.flock.coordinator.round;

import ai.djl.ndarray.NDArray;
import io.flock.core.DaemonThreads;
import io.flock.core.InvalidInputException;
import io.flock.core.config.ConfigException;
import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import io.flock.core.train.LocalTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Scores candidate global models on a held-out set kept by the coordinator. The set is split into
 * one shard per core, each scored by its own model on its own thread. Each shard is prepared through
 * the pipeline and copied into its model's native memory once, at construction: scoring a version
 * then only loads the parameters and runs the forward passes (the per-version preparation and copy
 * were a fifth of a W1 scoring's CPU). Thread-safe.
 */
public final class HeldOutEvaluator implements AutoCloseable {
    private final List<NDArray> shards = new ArrayList<>();
    private final List<int[]> labels = new ArrayList<>();
    private final List<FlockModel> models = new ArrayList<>();
    private final ExecutorService pool;
    private final LocalTrainer trainer = new LocalTrainer();

    /** @throws ConfigException naming eval.data-dir and the ways to fix it when the held-out files are not there */
    public static Dataset load(Path dir) throws IOException {
        Path images = dir.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = dir.resolve("t10k-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new ConfigException("eval.data-dir=" + dir + " holds no t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz;"
                    + " install them (sudo apt-get install dataset-fashion-mnist puts them in /usr/share/datasets/fashion-mnist),"
                    + " point eval.data-dir at the bundled datasets/fashion-mnist-subset, or set it to \"\" to skip held-out scoring");
        }
        return IdxFormat.readLabelled(images, labels);
    }

    /**
     * @return the first half of the held-out set, on which the offload threshold is calibrated; reports that measure
     *         hybrid accuracy use the second half, which the calibration never saw
     */
    public static Dataset calibrationHalf(Dataset heldOut) {
        return heldOut.subset(IntStream.range(0, heldOut.size() / 2).toArray());
    }

    /**
     * @param spec     network of the candidates
     * @param pipeline their feature pipeline
     * @param heldOut  labelled samples no device trains on
     * @throws InvalidInputException when it is empty or its width does not fit the model
     */
    public HeldOutEvaluator(ModelSpec spec, FeaturePipeline pipeline, Dataset heldOut) {
        if (heldOut.size() == 0 || heldOut.featureCount() != spec.inputSize()) {
            throw new InvalidInputException("held-out set of " + heldOut.size() + " samples with " + heldOut.featureCount()
                    + " features cannot score " + spec + ", which takes " + spec.inputSize());
        }
        int n = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), heldOut.size() / 500));
        for (int s = 0; s < n; s++) {
            int from = (int) ((long) heldOut.size() * s / n);
            int to = (int) ((long) heldOut.size() * (s + 1) / n);
            int[] rows = java.util.stream.IntStream.range(from, to).toArray();
            float[] prepared = new float[rows.length * heldOut.featureCount()];
            pipeline.prepareBatch(heldOut, rows, 0, rows.length, prepared);
            FlockModel model = new FlockModel(spec, "evaluator-" + s);
            models.add(model);
            shards.add(model.stage(prepared));
            labels.add(heldOut.subset(rows).labels());
        }
        this.pool = Executors.newFixedThreadPool(n, DaemonThreads.named("flock-evaluator"));
    }

    /** @return accuracy and loss of the candidate on the held-out set */
    public synchronized Evaluation evaluate(ModelParameters candidate) {
        List<Future<Evaluation>> parts = new ArrayList<>();
        for (int s = 0; s < shards.size(); s++) {
            FlockModel model = models.get(s);
            NDArray shard = shards.get(s);
            int[] truth = labels.get(s);
            parts.add(pool.submit(() -> {
                model.load(candidate);
                return trainer.evaluate(model, shard, truth);
            }));
        }
        List<Evaluation> scored = new ArrayList<>();
        try {
            for (Future<Evaluation> f : parts) {
                scored.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while evaluating", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return Evaluation.combine(scored);
    }

    @Override
    public synchronized void close() {
        pool.shutdownNow();
        models.forEach(FlockModel::close);
    }
}
