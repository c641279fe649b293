package io.flock.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.FloatDataset;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** FedProx on DJL; the dense kernel's half is checked against it in {@link DenseSgdTest}. */
class ProximalSgdTest {
    /** The example worked by hand in {@link DenseSgdTest}, on DJL: two steps on one sample. */
    @Test
    void train_onDjl_proximalTermByHand_pullsTheSecondStepTowardsTheStart() {
        ModelSpec spec = ModelSpec.parse("mlp:1-2");
        try (FlockModel scratch = new FlockModel(spec, "scratch")) {
            List<Tensor> layout = scratch.parameters().tensors();
            ModelParameters start = new ModelParameters(List.of(
                    new Tensor(layout.get(0).name(), new int[] {2, 1}, new float[] {1, -1}),
                    new Tensor(layout.get(1).name(), new int[] {2}, new float[] {0, 0})));

            LocalTrainer.Trained t = LocalTrainer.onDjlOnly().train(spec, start, () -> scratch,
                    new FloatDataset(new float[] {1}, new int[] {0}, 1), FeaturePipeline.parse("scale:1"),
                    new TrainingConfig(1f, 1, 2, 0.5f), new Random(0));

            // g = 1 - 1 / (1 + e^-2), h = 1 - 1 / (1 + e^(-2 (1 + 2g))): w = 1 + g / 2 + h, b = g / 2 + h
            double g = 1 - 1 / (1 + Math.exp(-2));
            double h = 1 - 1 / (1 + Math.exp(-2 * (1 + 2 * g)));
            float w = (float) (1 + g / 2 + h);
            float b = (float) (g / 2 + h);
            assertThat(t.result().steps()).isEqualTo(2);
            assertThat(t.parameters().tensors().get(0).data()).containsExactly(new float[] {w, -w}, within(1e-6f));
            assertThat(t.parameters().tensors().get(1).data()).containsExactly(new float[] {b, -b}, within(1e-6f));
        }
    }

    @Test
    void train_cnnWithLargerMu_endsCloserToTheStart() throws Exception {
        ModelSpec spec = ModelSpec.parse("cnn:28x28-4-8-16-10");
        ByteDataset data = LocalTrainerTest.train().subset(IntStream.range(0, 64).toArray());
        try (FlockModel scratch = new FlockModel(spec, "scratch")) {
            ModelParameters start = scratch.parameters();

            double[] distance = LocalTrainerTest.distancesFromStart(new LocalTrainer(), spec, start, () -> scratch, data,
                    0f, 0.3f, 3f);

            assertThat(distance[0]).isGreaterThan(distance[1]);
            assertThat(distance[1]).isGreaterThan(distance[2]);
        }
    }
}
