package io.flock.simulator.fleetops;

import io.flock.agent.training.UpdateTamper;
import io.flock.core.data.Dataset;
import io.flock.core.tensor.ModelParameters;

/**
 * Test-only: the world a drifted device lives in, inside its real training path ({@link UpdateTamper}): once the drift is
 * on, the device trains on what it now sees ({@link DriftingData}: brighter, noisier or turned images, or moved labels),
 * as it serves. Its updates are left to the tamper it wraps (an attack, or none).
 */
public final class DriftTamper implements UpdateTamper {
    private final UpdateTamper inner;
    private final DriftSpec drift;
    private final DriftSwitch on;
    private final int classes;
    private final long seed;

    /** @param inner what the device does besides (an attack, or {@link UpdateTamper#NONE}) */
    public DriftTamper(UpdateTamper inner, DriftSpec drift, DriftSwitch on, int classes, long seed) {
        this.inner = inner;
        this.drift = drift;
        this.on = on;
        this.classes = classes;
        this.seed = seed;
    }

    @Override
    public Dataset trainingData(Dataset data) {
        return new DriftingData(inner.trainingData(data), drift, on, classes, seed);
    }

    @Override
    public ModelParameters update(ModelParameters delta, long round) {
        return inner.update(delta, round);
    }

    @Override
    public String toString() {
        return "drift " + drift.kind().yamlName() + " from window " + drift.atWindow() + (inner == UpdateTamper.NONE ? "" : ", " + inner);
    }
}
