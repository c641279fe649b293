package io.flock.coordinator.round;

import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import io.flock.core.train.LocalTrainer;

/** Scores candidate global models on a held-out set kept by the coordinator. Thread-safe. */
public final class HeldOutEvaluator implements AutoCloseable {
    private final Dataset heldOut;
    private final FeaturePipeline pipeline;
    private final FlockModel model;
    private final LocalTrainer trainer = new LocalTrainer();

    /**
     * @param spec     network of the candidates
     * @param pipeline their feature pipeline
     * @param heldOut  labelled samples no device trains on
     */
    public HeldOutEvaluator(ModelSpec spec, FeaturePipeline pipeline, Dataset heldOut) {
        this.heldOut = heldOut;
        this.pipeline = pipeline;
        this.model = new FlockModel(spec, "evaluator");
    }

    /** @return accuracy and loss of the candidate on the held-out set */
    public synchronized Evaluation evaluate(ModelParameters candidate) {
        model.load(candidate);
        return trainer.evaluate(model, heldOut, pipeline);
    }

    @Override
    public synchronized void close() {
        model.close();
    }
}
