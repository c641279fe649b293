package io.flock.agent.inference;

import io.flock.core.InvalidInputException;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.model.Prediction;
import io.flock.core.tensor.ModelParameters;
import java.util.Optional;

/**
 * The model the device serves now: swapped atomically when a verified version loads. An MLP runs in
 * plain Java, so a device serving one loads no native engine ({@link InferenceModel#forDevice}). Thread-safe;
 * predictions on one model are serialised.
 */
public final class LocalModel implements AutoCloseable {
    /** A loaded version. */
    public record Loaded(String name, long version, String sha256, ModelSpec spec, FeaturePipeline pipeline,
                         ModelParameters parameters, InferenceModel model) {
    }

    private volatile Loaded current;

    /**
     * Makes a verified version current. The same network is reloaded in place (no new native model
     * per push); a different spec builds a new one and closes the old.
     */
    public synchronized void swap(String name, long version, String sha256, ModelSpec spec, FeaturePipeline pipeline,
                                  ModelParameters parameters) {
        Loaded now = current;
        if (now != null && now.spec().equals(spec)) {
            now.model().load(parameters);
            current = new Loaded(name, version, sha256, spec, pipeline, parameters, now.model());
            return;
        }
        InferenceModel model = InferenceModel.forDevice(spec, name + "-v" + version);
        try {
            model.load(parameters);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        Loaded old = current;
        current = new Loaded(name, version, sha256, spec, pipeline, parameters, model);
        if (old != null) {
            old.model().close();
        }
    }

    /** @return the current version, empty before the first load */
    public Optional<Loaded> current() {
        return Optional.ofNullable(current);
    }

    /** @return the current version number, 0 when none */
    public long version() {
        Loaded l = current;
        return l == null ? 0 : l.version();
    }

    /**
     * @param raw the app's raw features
     * @return the local answer, empty when no model is loaded
     * @throws InvalidInputException for a wrong feature count or non-finite values
     */
    public Optional<Prediction> predict(float[] raw) {
        if (current == null) {
            return Optional.empty();
        }
        synchronized (this) {
            Loaded now = current;
            return Optional.of(Prediction.of(now.model().predictProbabilities(features(now, raw)), now.name(), now.version()));
        }
    }

    /**
     * The on-device preparation of an app's input: the current version's feature pipeline (from its signed manifest),
     * the same core code as training on this device, the coordinator's serving and its batch job.
     *
     * @return model inputs for the current version, empty when no model is loaded
     * @throws InvalidInputException for a wrong feature count or non-finite values
     */
    public Optional<float[]> features(float[] raw) {
        Loaded l = current;
        return l == null ? Optional.empty() : Optional.of(features(l, raw));
    }

    private static float[] features(Loaded l, float[] raw) {
        return l.pipeline().prepare(raw, l.spec().inputSize(), l.name());
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.model().close();
            current = null;
        }
    }
}
