package io.flock.simulator.fleetops;

import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.LocalTrainer;

/**
 * The accuracy of device parameters on held-out data as a drifted device sees it (pixels shifted, labels moved, classes
 * narrowed): what retraining must recover.
 */
public final class ShiftedAccuracy {
    private ShiftedAccuracy() {
    }

    /**
     * @param heldOut samples no device trains on
     * @param drift   the drift, on (null = the data as it is)
     * @return the share of the samples the drift keeps that the parameters label right
     */
    public static double of(ModelSpec spec, FeaturePipeline pipeline, ModelParameters parameters, Dataset heldOut, DriftSpec drift, long seed) {
        DriftSwitch on = new DriftSwitch();
        on.on();
        DriftingData seen = new DriftingData(heldOut, drift, on, spec.classes(), seed);
        int[] kept = java.util.stream.IntStream.range(0, seen.size()).filter(seen::keeps).toArray();
        Dataset data = seen.subset(kept);
        float[] p;
        try (InferenceModel model = InferenceModel.forDevice(spec, "shifted-accuracy")) {
            model.load(parameters);
            p = LocalTrainer.probabilities(model, data, pipeline);
        }
        int k = spec.classes();
        int right = 0;
        for (int i = 0; i < data.size(); i++) {
            right += LocalTrainer.argmax(p, i * k, k) == data.label(i) ? 1 : 0;
        }
        return data.size() == 0 ? Double.NaN : right / (double) data.size();
    }
}
