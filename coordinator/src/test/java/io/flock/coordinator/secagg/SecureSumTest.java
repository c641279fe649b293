package io.flock.coordinator.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.secagg.RingVectors;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a secure round's server step takes from the unmasked sum: the weighted mean, or the noised mean of clipped updates. */
class SecureSumTest {
    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static int[] sum(List<int[]> vectors) {
        int[] s = new int[vectors.get(0).length];
        for (int[] v : vectors) {
            for (int i = 0; i < s.length; i++) {
                s[i] += v[i];
            }
        }
        return s;
    }

    @Test
    void mean_weightsByExamples_isFedAvg() {
        TrainingPlan plan = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, true);
        SecureSum.Shape shape = SecureSum.Shape.of(plan, p(0, 0), 3);
        int[] s = sum(List.of(RingVectors.encode(p(0.3f, -0.3f), 0.5, shape.quantizer()),
                RingVectors.encode(p(0.6f, 0f), 0.25, shape.quantizer()), RingVectors.encode(p(-1.5f, 0.9f), 0.25, shape.quantizer())));

        AggregatedUpdate mean = new SecureSum(s, 3, shape).mean();

        // -1.5 is clamped to the default range 1: (0.5 x 0.3 + 0.25 x 0.6 + 0.25 x -1) / 1 and (0.5 x -0.3 + 0.25 x 0.9) / 1
        assertThat(mean.delta().tensors().get(0).data()[0]).isCloseTo(0.05f, within(1e-6f));
        assertThat(mean.delta().tensors().get(0).data()[1]).isCloseTo(0.075f, within(1e-6f));
        assertThat(mean.totalWeight()).isCloseTo(1.0, within(1e-8));
    }

    @Test
    void noisedMean_clipNormSet_equalWeightsAndNoiseOfZCOverN() {
        TrainingPlan plan = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0.5f, true);
        float[] zeros = new float[20_000];
        SecureSum.Shape shape = SecureSum.Shape.of(plan, p(zeros), 4);
        assertThat(shape.uniform()).isTrue();
        int[] s = sum(List.of(RingVectors.encode(p(zeros), 1, shape.quantizer()), RingVectors.encode(p(zeros), 1, shape.quantizer()),
                RingVectors.encode(p(zeros), 1, shape.quantizer()), RingVectors.encode(p(zeros), 1, shape.quantizer())));

        AggregatedUpdate noised = new SecureSum(s, 4, shape).noisedMean(2.0, new Random(5));

        double squares = 0;
        for (float v : noised.delta().tensors().get(0).data()) {
            squares += v * v;
        }
        assertThat(Math.sqrt(squares / zeros.length)).as("z C / n = 2 x 0.5 / 4").isCloseTo(0.25, within(0.005));
        assertThat(noised.contributors()).isEqualTo(4);
    }
}
