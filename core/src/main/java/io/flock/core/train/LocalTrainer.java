package io.flock.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.flock.core.InvalidInputException;
import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.Shuffle;
import io.flock.core.model.FlockModel;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The local training and evaluation loops, shared by devices (private training) and the
 * coordinator (evaluation, server-side training). Stateless; thread-safe as long as each model is
 * used by one thread at a time. Trainings of different models on different threads run in parallel
 * ({@link ThreadGradientTape}).
 */
public final class LocalTrainer {
    private static final int EVAL_BATCH = 500;

    private final boolean denseMlp;

    /** A trainer that runs MLPs on {@link DenseSgd} and every other model on DJL. */
    public LocalTrainer() {
        this(true);
    }

    /** @return a trainer that runs every model on DJL, MLPs included: the baseline the dense kernel is measured against */
    public static LocalTrainer onDjlOnly() {
        return new LocalTrainer(false);
    }

    /** @param denseMlp false to train MLPs on DJL too (for comparisons) */
    LocalTrainer(boolean denseMlp) {
        this.denseMlp = denseMlp;
    }

    /**
     * Trains the model in place with mini-batch SGD on shuffled data, on the FedProx objective when the config's
     * proximal mu is > 0 (its start parameters are then the proximal term's {@code w0}).
     *
     * @param random shuffling source; the same seed gives the same batch order
     * @throws InvalidInputException when the data is empty or its width does not fit the model, or
     *                               when training diverged to non-finite parameters (the model then
     *                               keeps its start parameters)
     */
    public TrainingResult train(FlockModel model, Dataset data, FeaturePipeline pipeline, TrainingConfig config, Random random) {
        synchronized (model) {
            if (onDenseKernel(model.spec())) {
                Trained t = trainDense(model.spec(), model.parameters(), data, pipeline, config, random, null);
                model.load(t.parameters());
                return t.result();
            }
            ModelParameters before = model.parameters();
            try {
                return trainOnDjl(model, data, pipeline, config, random).result();
            } catch (InvalidInputException e) {
                model.load(before);
                throw e;
            }
        }
    }

    /** Trains {@code model} in place on DJL; returns its trained parameters, checked finite (the model is left as trained). */
    private static Trained trainOnDjl(FlockModel model, Dataset data, FeaturePipeline pipeline, TrainingConfig config,
                                      Random random) {
        requireFits(model.spec(), data);
        long start = System.nanoTime();
        double loss;
        try (ProximalSgd proximal = config.proximalMu() == 0 ? null
                : new ProximalSgd(model.djl(), config.learningRate(), config.proximalMu())) {
            DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(proximal != null
                    ? proximal : Optimizer.sgd().setLearningRateTracker(Tracker.fixed(config.learningRate())).build());
            try (Trainer trainer = model.djl().newTrainer(tc)) {
                loss = epochs(data, pipeline, config, random, null, (x, y, soft, b) -> step(trainer, x, y, b, data.featureCount()));
            }
        }
        ModelParameters trained = model.parameters();
        requireConverged(trained);
        return new Trained(trained, result(data, config, loss, start));
    }

    /** Trained parameters, and what the training did. */
    public record Trained(ModelParameters parameters, TrainingResult result) {
    }

    /**
     * Trains from {@code start} and returns the trained parameters; {@code start} is not changed, and is FedProx's
     * {@code w0} when the config's proximal mu is > 0.
     * MLPs train on the dense kernel and need no native model: a device that trains every round keeps
     * no second model and copies nothing in and out of native memory. Other models train on the
     * model {@code scratch} gives (asked for only then), loaded with {@code start} first.
     *
     * @param scratch a model of {@code spec} this call may overwrite
     * @throws InvalidInputException as {@link #train(FlockModel, Dataset, FeaturePipeline, TrainingConfig, Random)},
     *                               and when {@code start} does not fit {@code spec}
     */
    public Trained train(ModelSpec spec, ModelParameters start, Supplier<FlockModel> scratch, Dataset data,
                         FeaturePipeline pipeline, TrainingConfig config, Random random) {
        return train(spec, start, scratch, data, pipeline, config, random, null);
    }

    /**
     * As {@link #train(ModelSpec, ModelParameters, Supplier, Dataset, FeaturePipeline, TrainingConfig, Random)}, learning
     * from a teacher's soft targets too (knowledge distillation) when {@code teacher} is given.
     *
     * @param teacher soft targets for every row of {@code data} and the loss to use; null = labels only
     * @throws InvalidInputException also when the soft targets do not cover the data, or the student is not an MLP
     *                               (distillation runs on the dense kernel)
     */
    public Trained train(ModelSpec spec, ModelParameters start, Supplier<FlockModel> scratch, Dataset data,
                         FeaturePipeline pipeline, TrainingConfig config, Random random, SoftTargets teacher) {
        if (teacher != null) {
            if (!onDenseKernel(spec)) {
                throw new InvalidInputException("distillation trains MLP students (on the dense kernel), not " + spec);
            }
            teacher.requireCovers(data.size(), spec.classes());
        }
        if (onDenseKernel(spec)) {
            return trainDense(spec, start, data, pipeline, config, random, teacher);
        }
        FlockModel model = scratch.get();
        synchronized (model) {
            model.load(start);
            return trainOnDjl(model, data, pipeline, config, random);
        }
    }

    private boolean onDenseKernel(ModelSpec spec) {
        return denseMlp && spec.kind() == ModelSpec.Kind.MLP;
    }

    private static Trained trainDense(ModelSpec spec, ModelParameters start, Dataset data, FeaturePipeline pipeline,
                                      TrainingConfig config, Random random, SoftTargets teacher) {
        requireFits(spec, data);
        long t0 = System.nanoTime();
        DenseSgd sgd = new DenseSgd(start, spec.layers(), config.learningRate(), config.proximalMu(),
                Math.min(config.batchSize(), data.size()), pipeline.transform(new float[] {0f})[0],
                teacher == null ? null : teacher.distillation());
        double loss = epochs(data, pipeline, config, random, teacher, sgd::step);
        ModelParameters trained = sgd.parameters();
        requireConverged(trained);
        return new Trained(trained, result(data, config, loss, t0));
    }

    /** @throws InvalidInputException naming the divergence when a trained value is not finite */
    private static void requireConverged(ModelParameters trained) {
        try {
            trained.requireFinite();
        } catch (InvalidInputException e) {
            throw new InvalidInputException("training diverged: " + e.getMessage());
        }
    }

    private static TrainingResult result(Dataset data, TrainingConfig config, double loss, long startNanos) {
        int batch = Math.min(config.batchSize(), data.size());
        int steps = config.epochs() * ((data.size() + batch - 1) / batch);
        return new TrainingResult(data.size(), steps, loss, (System.nanoTime() - startNanos) / 1e9);
    }

    /** One optimiser step on a prepared batch (with the batch's soft targets, or null); returns its mean loss. */
    private interface BatchStep {
        double step(float[] x, float[] labels, float[] soft, int rows);
    }

    /** Runs the epochs over shuffled batches; returns the mean batch loss of the last epoch. */
    private static double epochs(Dataset data, FeaturePipeline pipeline, TrainingConfig config, Random random, SoftTargets teacher,
                                 BatchStep step) {
        int n = data.size();
        int batch = Math.min(config.batchSize(), n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        float[] x = new float[batch * data.featureCount()];
        float[] y = new float[batch];
        int classes = teacher == null ? 0 : teacher.classes();
        float[] soft = teacher == null ? null : new float[batch * classes];
        double lossSum = 0;
        int lossBatches = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Shuffle.shuffle(order, random);
            lossSum = 0;
            lossBatches = 0;
            for (int from = 0; from < n; from += batch) {
                int b = Math.min(batch, n - from);
                pipeline.prepareBatch(data, order, from, b, x);
                for (int k = 0; k < b; k++) {
                    y[k] = data.label(order[from + k]);
                    if (soft != null) {
                        System.arraycopy(teacher.targets(), order[from + k] * classes, soft, k * classes, classes);
                    }
                }
                lossSum += step.step(x, y, soft, b);
                lossBatches++;
            }
        }
        return lossSum / Math.max(1, lossBatches);
    }

    private static double step(Trainer trainer, float[] x, float[] y, int b, int d) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray input = m.create(b * d == x.length ? x : java.util.Arrays.copyOf(x, b * d), new Shape(b, d));
            NDArray label = m.create(b == y.length ? y : java.util.Arrays.copyOf(y, b), new Shape(b));
            float loss;
            try (GradientCollector tape = new ThreadGradientTape()) {
                NDList pred = trainer.forward(new NDList(input));
                NDArray l = trainer.getLoss().evaluate(new NDList(label), pred);
                tape.backward(l);
                loss = l.getFloat();
            }
            trainer.step();
            return loss;
        }
    }

    /**
     * Scores the model on labelled data without changing it.
     *
     * @throws InvalidInputException when the data is empty or its width does not fit the model
     */
    public Evaluation evaluate(FlockModel model, Dataset data, FeaturePipeline pipeline) {
        int k = model.spec().classes();
        float[] p = probabilities(model, data, pipeline);
        return score(k, data.labels(), (from, b) -> java.util.Arrays.copyOfRange(p, from * k, (from + b) * k));
    }

    /**
     * The model's class probabilities for every row of the data, through the feature pipeline, in batches (a
     * teacher's outputs on a device's own data, say). Does not change the model.
     *
     * @return {@code rows * classes} probabilities, row-major
     * @throws InvalidInputException when the data is empty or its width does not fit the model
     */
    public static float[] probabilities(InferenceModel model, Dataset data, FeaturePipeline pipeline) {
        requireFits(model.spec(), data);
        int n = data.size();
        int d = data.featureCount();
        int k = model.spec().classes();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        float[] x = new float[Math.min(EVAL_BATCH, n) * d];
        float[] out = new float[n * k];
        for (int from = 0; from < n; from += EVAL_BATCH) {
            int b = Math.min(EVAL_BATCH, n - from);
            pipeline.prepareBatch(data, all, from, b, x);
            float[] p = model.predictProbabilities(b * d == x.length ? x : java.util.Arrays.copyOf(x, b * d));
            System.arraycopy(p, 0, out, from * k, b * k);
        }
        return out;
    }

    /**
     * Scores rows the model holds {@link FlockModel#stage staged} in native memory: the held-out set a
     * coordinator scores every version on is prepared and copied once, not once per version.
     *
     * @param labels one per staged row
     * @throws InvalidInputException when the labels do not match the staged rows
     */
    public Evaluation evaluate(FlockModel model, NDArray staged, int[] labels) {
        if (labels.length != staged.getShape().get(0)) {
            throw new InvalidInputException(labels.length + " labels for " + staged.getShape().get(0) + " staged rows");
        }
        return score(model.spec().classes(), labels, (from, b) -> model.predictProbabilities(staged, from, from + b));
    }

    /** Class probabilities of {@code rows} rows from row {@code from}. */
    private interface BatchScorer {
        float[] probabilities(int from, int rows);
    }

    private static Evaluation score(int classes, int[] labels, BatchScorer scorer) {
        int n = labels.length;
        int correct = 0;
        double loss = 0;
        for (int from = 0; from < n; from += EVAL_BATCH) {
            int b = Math.min(EVAL_BATCH, n - from);
            float[] p = scorer.probabilities(from, b);
            for (int k = 0; k < b; k++) {
                int label = labels[from + k];
                if (argmax(p, k * classes, classes) == label) {
                    correct++;
                }
                loss -= Math.log(Math.max(1e-12, p[k * classes + label]));
            }
        }
        return new Evaluation((double) correct / n, loss / n, n);
    }

    /** @return index (0-based, relative to offset) of the largest of {@code len} values */
    public static int argmax(float[] values, int offset, int len) {
        int best = 0;
        for (int c = 1; c < len; c++) {
            if (values[offset + c] > values[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    private static void requireFits(ModelSpec spec, Dataset data) {
        if (data.size() == 0) {
            throw new InvalidInputException("dataset is empty");
        }
        if (data.featureCount() != spec.inputSize()) {
            throw new InvalidInputException("dataset has " + data.featureCount() + " features but model "
                    + spec + " takes " + spec.inputSize());
        }
    }
}
