package io.flock.coordinator.serving;

import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.InvalidInputException;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import io.flock.core.tensor.ModelParameters;

/**
 * Answers offloaded predictions with the current global model, through the same feature pipeline the
 * devices use. Thread-safe: predictions are serialised on the model (dynamic batching comes later).
 */
public final class ModelServing implements AutoCloseable {
    private volatile Loaded loaded;

    private record Loaded(FlockModel model, FeaturePipeline pipeline, String name, long version) {
    }

    /** Makes {@code version} the serving model. */
    public synchronized void update(ModelVersion version, ModelParameters parameters) {
        ModelSpec spec = ModelSpec.parse(version.manifest().spec());
        Loaded old = loaded;
        FlockModel model = old != null && old.model().spec().equals(spec) ? old.model() : new FlockModel(spec, "serving");
        model.load(parameters);
        loaded = new Loaded(model, FeaturePipeline.parse(version.manifest().pipeline()), version.model(), version.version());
        if (old != null && old.model() != model) {
            old.model().close();
        }
    }

    /**
     * @param model name the caller asks for; empty = whatever is served
     * @param raw   raw features as the app has them
     * @throws ModelNotFoundException before the first version or for another model name
     * @throws InvalidInputException  for a wrong feature count or non-finite values
     */
    public Prediction predict(String model, float[] raw) {
        Loaded l = loaded;
        if (l == null || (!model.isEmpty() && !model.equals(l.name()))) {
            throw new ModelNotFoundException("no served model named '" + model + "'");
        }
        int expected = l.model().spec().inputSize();
        if (raw.length != expected) {
            throw new InvalidInputException("model " + l.name() + " takes " + expected + " features, got " + raw.length);
        }
        return Prediction.of(l.model().predictProbabilities(l.pipeline().transform(raw)), l.name(), l.version());
    }

    @Override
    public synchronized void close() {
        if (loaded != null) {
            loaded.model().close();
            loaded = null;
        }
    }
}
