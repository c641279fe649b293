package io.flock.simulator.fleetops;

import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.LocalTrainer;
import io.flock.core.train.TrainingConfig;
import java.util.Random;

/**
 * The candidates a rollout scenario rolls out, made the way a model trained elsewhere would be: the production
 * parameters fine-tuned for one epoch on a sample of the training data, with its labels (good) or with every label moved
 * by one class (bad: trained on label-flipped data).
 */
public final class Candidates {
    /** Samples a candidate is fine-tuned on. */
    static final int SAMPLES = 2000;

    private Candidates() {
    }

    /**
     * @param good    true: the data's labels; false: label + 1 mod classes
     * @param seed    the sample and its shuffle
     * @return the candidate's parameters
     */
    public static ModelParameters make(boolean good, ModelSpec spec, FeaturePipeline pipeline, ModelParameters production, Dataset train,
                                       long seed) {
        Random random = new Random(seed);
        int[] rows = new int[Math.min(SAMPLES, train.size())];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random.nextInt(train.size());
        }
        Dataset sample = train.subset(rows);
        DriftSwitch always = new DriftSwitch();
        always.on();
        Dataset labelled = good ? sample
                : new DriftingData(sample, new DriftSpec(DriftSpec.Kind.CONCEPT, 1, 1, "", 1), always, spec.classes(), seed);
        return new LocalTrainer().train(spec, production, () -> new FlockModel(spec, "candidate"), labelled, pipeline,
                new TrainingConfig(0.05f, 10, 1), random).parameters();
    }
}
