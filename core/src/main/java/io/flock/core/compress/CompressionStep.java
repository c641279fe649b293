package io.flock.core.compress;

import io.flock.core.model.ModelSpec;

/** One transform of a {@link CompressionPipeline}: changes a model's values, and may change its form, before it is encoded. */
public interface CompressionStep {
    /** @return the step as written in a pipeline, with its settings, e.g. {@code prune:0.9} */
    String name();

    /** @return the transformed model; the input is not changed */
    Compressed apply(Compressed model);

    /**
     * Checks that the step can apply to a model of this spec, before any model exists (at a coordinator's start).
     *
     * @throws io.flock.core.InvalidInputException naming the step when it cannot
     */
    default void check(ModelSpec spec) {
    }
}
