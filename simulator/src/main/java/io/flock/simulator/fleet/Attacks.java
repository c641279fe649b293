package io.flock.simulator.fleet;

import io.flock.agent.training.UpdateTamper;
import io.flock.simulator.scenario.Attack;

/** Turns a device profile's {@link Attack} into the test-only {@link UpdateTamper} its agent is built with. */
public final class Attacks {
    private Attacks() {
    }

    /**
     * @param attack     what the device does
     * @param classes    the model's number of classes (what a label flip maps over)
     * @param runSeed    the run's seed: every label-flipping device of a run uses the same permutation
     * @param deviceSeed this device's seed: its noise
     * @return the tamper; {@link UpdateTamper#NONE} for an honest device
     */
    public static UpdateTamper tamper(Attack attack, int classes, long runSeed, long deviceSeed) {
        return switch (attack.kind()) {
            case NONE -> UpdateTamper.NONE;
            case GAUSSIAN -> new GaussianUpdate(attack.sigma(), deviceSeed);
            case SIGN_FLIP -> new ScaledUpdate((float) -attack.factor(), "sign-flip");
            case SCALE -> new ScaledUpdate((float) attack.factor(), "scale");
            case LABEL_FLIP -> attack.mapping() == Attack.LabelMapping.REVERSE ? LabelFlip.reverse(classes)
                    : LabelFlip.permutation(classes, runSeed);
        };
    }
}
