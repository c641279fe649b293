package io.flock.coordinator.registry;

import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;

/**
 * What a new version is made from.
 *
 * @param spec           network
 * @param pipeline       feature pipeline
 * @param parameters     exact global parameters
 * @param evaluation     held-out scores, null when not (yet) scored
 * @param round          the round that produced it, 0 when none
 * @param optimizerState the server optimizer's state after this step; empty for a stateless optimizer
 */
public record Candidate(ModelSpec spec, FeaturePipeline pipeline, ModelParameters parameters, Evaluation evaluation, long round,
                        byte[] optimizerState) {
    /** @return a candidate made outside any round, with no optimizer state */
    public static Candidate of(ModelSpec spec, FeaturePipeline pipeline, ModelParameters parameters, Evaluation evaluation) {
        return new Candidate(spec, pipeline, parameters, evaluation, 0, new byte[0]);
    }
}
