package io.flock.coordinator.secagg;

import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.privacy.GaussianNoise;
import io.flock.core.secagg.RingQuantizer;
import io.flock.core.secagg.RingVectors;
import io.flock.core.tensor.ModelParameters;
import java.util.random.RandomGenerator;

/**
 * The unmasked sum of a secure round, and what the round's server step takes from it: the weighted mean Σω·x / Σω, or,
 * under central differential privacy (equal weights, each update clipped to C on its device), the mean of the n
 * clipped updates with Gaussian noise of z·C on their sum. The coordinator never sees one update, so it cannot clip
 * again: the device's clipping is trusted, and the quantizer's range (C) bounds every coordinate whatever it sends.
 *
 * @param sum          Σ of the survivors' ring vectors
 * @param contributors devices whose vectors are in the sum
 * @param shape        the layout and quantizer the vectors were made with
 */
public record SecureSum(int[] sum, int contributors, Shape shape) {
    /**
     * How a secure round's vectors are made.
     *
     * @param layout    the model's layout
     * @param quantizer the ring encoding: range C under a clip norm (else secagg.clip-range), for n participants
     * @param uniform   every weight is 1 (a clip norm is set); else examples / secagg.max-examples
     */
    public record Shape(ModelParameters layout, RingQuantizer quantizer, boolean uniform) {
        /** @return the shape of a round of {@code participants} devices under the plan */
        public static Shape of(TrainingPlan plan, ModelParameters layout, int participants) {
            return new Shape(layout, new RingQuantizer(plan.secureRange(), participants), plan.uniformWeights());
        }
    }

    /** @return the weighted mean of the survivors' updates */
    public AggregatedUpdate mean() {
        double total = RingVectors.totalWeight(sum, shape.quantizer());
        return new AggregatedUpdate(RingVectors.scaled(sum, shape.layout(), shape.quantizer(), total), total, contributors);
    }

    /**
     * @param noiseMultiplier z
     * @param random          the noise's source
     * @return the mean of the clipped updates with noise z·C/n per coordinate (z·C on the sum)
     */
    public AggregatedUpdate noisedMean(double noiseMultiplier, RandomGenerator random) {
        ModelParameters mean = RingVectors.scaled(sum, shape.layout(), shape.quantizer(), contributors);
        double std = noiseMultiplier * shape.quantizer().range() / contributors;
        return new AggregatedUpdate(new GaussianNoise(random).add(mean, std), contributors, contributors);
    }
}
