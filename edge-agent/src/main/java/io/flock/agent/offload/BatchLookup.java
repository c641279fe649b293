package io.flock.agent.offload;

import io.flock.core.model.Prediction;
import java.util.Optional;

/** Precomputed answers the router asks before any model: a batch job's predictions for inputs known in advance. Thread-safe. */
public interface BatchLookup {
    /** Knows no input. */
    BatchLookup NONE = raw -> Optional.empty();

    /**
     * @param raw the app's raw features (not checked: an input of another width or with NaN simply is not found)
     * @return the precomputed answer for exactly this input, empty when no usable set has it
     */
    Optional<Prediction> find(float[] raw);
}
