package io.flock.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DenseMlpTest {
    @Test
    void probabilities_matchDjl_onTheSameParametersAndInputs() {
        ModelSpec spec = ModelSpec.parse("mlp:784-200-200-10");
        Engines.pytorch();
        Engine.getInstance().setRandomSeed(3);
        Random random = new Random(7);
        float[] batch = new float[16 * 784];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = random.nextFloat() < 0.4f ? 0f : random.nextFloat() * 3 - 0.5f;
        }
        try (FlockModel djl = new FlockModel(spec, "reference"); DenseMlp dense = new DenseMlp(spec)) {
            dense.load(djl.parameters());
            float[] expected = djl.predictProbabilities(batch);
            float[] got = dense.predictProbabilities(batch);

            assertThat(got).hasSameSizeAs(expected);
            for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).as("probability %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(2e-6f));
            }
            for (int r = 0; r < 16; r++) {
                assertThat(argmax(got, r)).as("row %d", r).isEqualTo(argmax(expected, r));
            }
        }
    }

    @Test
    void wrongLayoutsAndInputs_areRefused() {
        ModelSpec spec = ModelSpec.parse("mlp:3-2");
        DenseMlp dense = new DenseMlp(spec);

        assertThatThrownBy(() -> dense.predictProbabilities(new float[3])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> dense.load(new ModelParameters(List.of(new Tensor("w", new int[] {2, 2}, new float[4]),
                new Tensor("b", new int[] {2}, new float[2]))))).isInstanceOf(InvalidInputException.class).hasMessageContaining("2x3");
        dense.load(new ModelParameters(List.of(new Tensor("w", new int[] {2, 3}, new float[] {1, 0, 0, 0, 1, 0}),
                new Tensor("b", new int[] {2}, new float[] {0, 0}))));
        assertThatThrownBy(() -> dense.predictProbabilities(new float[4])).isInstanceOf(InvalidInputException.class);
        assertThat(dense.predictProbabilities(new float[] {2, 0, 9})).containsExactly((float) (1 / (1 + Math.exp(-2))),
                (float) (Math.exp(-2) / (1 + Math.exp(-2))));
        assertThatThrownBy(() -> new DenseMlp(ModelSpec.parse("cnn:28x28-8-16-64-10"))).isInstanceOf(InvalidInputException.class);
    }

    private static int argmax(float[] p, int row) {
        int best = 0;
        for (int k = 1; k < 10; k++) {
            if (p[row * 10 + k] > p[row * 10 + best]) {
                best = k;
            }
        }
        return best;
    }
}
