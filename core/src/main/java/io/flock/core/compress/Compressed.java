package io.flock.core.compress;

import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;

/**
 * A model after some compression steps: its spec (which low-rank factorisation changes) and its parameters.
 *
 * @param spec       the network the parameters fit
 * @param parameters the parameters, in the spec's tensor order
 */
public record Compressed(ModelSpec spec, ModelParameters parameters) {
}
