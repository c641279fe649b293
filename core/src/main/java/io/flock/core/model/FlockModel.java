package io.flock.core.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A DJL model built from a {@link ModelSpec} on the PyTorch engine, with its parameters readable and
 * writable as {@link ModelParameters}. Methods are synchronized: one model serves one caller at a
 * time (DJL predictors are not thread-safe). Close it to free native memory.
 */
public final class FlockModel implements InferenceModel {
    private final ModelSpec spec;
    private final Model model;

    /**
     * Builds the network with freshly initialised parameters.
     *
     * @param spec what to build
     * @param name a label for logs
     */
    public FlockModel(ModelSpec spec, String name) {
        if (spec.factorised()) {
            throw new InvalidInputException("a factorised model (" + spec + ") runs on DenseMlp for serving; DJL builds and trains "
                    + "dense networks only (" + spec.dense() + ")");
        }
        Engines.pytorch();
        this.spec = spec;
        this.model = Model.newInstance(name, "PyTorch");
        model.setBlock(ModelBlocks.build(spec));
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, spec.inputSize()));
    }

    /** @return the spec this model was built from */
    public ModelSpec spec() {
        return spec;
    }

    /** @return the underlying DJL model, for training loops in this package's siblings */
    public Model djl() {
        return model;
    }

    /** @return a copy of the current parameters in block order */
    public synchronized ModelParameters parameters() {
        List<Tensor> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            out.add(new Tensor(p.getKey(), Math.toIntExact(a.size()) == 0 ? new int[0] : toInts(a.getShape()), a.toFloatArray()));
        }
        return new ModelParameters(out);
    }

    /**
     * Overwrites the parameters in place.
     *
     * @throws InvalidInputException when names or shapes differ from this model's, or a value is not finite
     */
    public synchronized void load(ModelParameters parameters) {
        requireLayout(parameters);
        parameters.requireFinite();
        int i = 0;
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            p.getValue().getArray().set(FloatBuffer.wrap(parameters.tensors().get(i++).data()));
        }
    }

    /** Compares names and shapes only: a layout check must not copy every value out of native memory. */
    private void requireLayout(ModelParameters parameters) {
        var mine = model.getBlock().getParameters();
        if (mine.size() != parameters.tensors().size()) {
            throw new InvalidInputException("expected " + mine.size() + " tensors but got " + parameters.tensors().size()
                    + " " + parameters.tensors());
        }
        for (int i = 0; i < mine.size(); i++) {
            Tensor t = parameters.tensors().get(i);
            int[] shape = toInts(mine.get(i).getValue().getArray().getShape());
            if (!mine.get(i).getKey().equals(t.name()) || !java.util.Arrays.equals(shape, t.shape())) {
                throw new InvalidInputException("tensor " + i + " should be " + mine.get(i).getKey()
                        + java.util.Arrays.toString(shape) + " but is " + t);
            }
        }
    }

    /**
     * Class probabilities for a batch of prepared feature rows.
     *
     * @param features row-major batch, length = rows * {@link ModelSpec#inputSize()}
     * @return probabilities, row-major, length = rows * classes
     */
    public synchronized float[] predictProbabilities(float[] features) {
        int in = spec.inputSize();
        if (features.length == 0 || features.length % in != 0) {
            throw new InvalidInputException("expected a multiple of " + in + " features, got " + features.length);
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(features, new Shape(features.length / in, in));
            NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            return logits.softmax(1).toFloatArray();
        }
    }

    /**
     * Copies prepared feature rows into native memory owned by this model, so they can be scored again
     * and again ({@link #predictProbabilities(NDArray, int, int)}) without a copy per call. Freed with the model.
     *
     * @param rows row-major, length = rows * {@link ModelSpec#inputSize()}
     */
    public synchronized NDArray stage(float[] rows) {
        int in = spec.inputSize();
        if (rows.length == 0 || rows.length % in != 0) {
            throw new InvalidInputException("expected a multiple of " + in + " features, got " + rows.length);
        }
        return model.getNDManager().create(rows, new Shape(rows.length / in, in));
    }

    /**
     * Class probabilities for rows {@code [from, to)} of features {@link #stage staged} in this model.
     *
     * @return probabilities, row-major, length = (to - from) * classes
     */
    public synchronized float[] predictProbabilities(NDArray staged, int from, int to) {
        if (from < 0 || to > staged.getShape().get(0) || from >= to) {
            throw new InvalidInputException("rows [" + from + ", " + to + ") are not within the " + staged.getShape().get(0) + " staged");
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = staged.get(from + ":" + to);
            x.attach(m);
            NDArray logits = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            return logits.softmax(1).toFloatArray();
        }
    }

    private static int[] toInts(Shape shape) {
        int[] s = new int[shape.dimension()];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(shape.get(i));
        }
        return s;
    }

    @Override
    public synchronized void close() {
        model.close();
    }
}
