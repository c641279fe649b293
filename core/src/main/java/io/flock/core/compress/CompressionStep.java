package io.flock.core.compress;

import io.flock.core.tensor.ModelParameters;

/** One transform of a {@link CompressionPipeline} that changes a model's values before it is encoded. */
public interface CompressionStep {
    /** @return the step as written in a pipeline, with its settings, e.g. {@code prune:0.9} */
    String name();

    /** @return the transformed parameters; the input is not changed */
    ModelParameters apply(ModelParameters parameters);
}
