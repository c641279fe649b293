package io.flock.core.model;

import io.flock.core.tensor.ModelParameters;

/**
 * A network that answers predictions: load parameters, then ask for class probabilities. Order of use:
 * {@link #load}, then any number of {@link #predictProbabilities}, then {@link #close()}. Implementations
 * serialise calls (one caller at a time).
 */
public interface InferenceModel extends AutoCloseable {
    /** @return the network's spec */
    ModelSpec spec();

    /**
     * @param parameters in DJL block order, shaped as the spec says
     * @throws io.flock.core.InvalidInputException for another layout
     */
    void load(ModelParameters parameters);

    /**
     * @param features row-major batch, length = rows * {@link ModelSpec#inputSize()}
     * @return softmax probabilities, row-major, length = rows * classes
     */
    float[] predictProbabilities(float[] features);

    @Override
    void close();

    /**
     * The model a device serves with: an MLP runs in plain Java ({@link DenseMlp}: no native engine is loaded,
     * which is 70 MB of a device agent's memory); other networks run on DJL ({@link FlockModel}).
     */
    static InferenceModel forDevice(ModelSpec spec, String name) {
        return spec.kind() == ModelSpec.Kind.MLP ? new DenseMlp(spec) : new FlockModel(spec, name);
    }
}
