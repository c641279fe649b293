package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaledUpdateTest {
    static ModelParameters delta() {
        return new ModelParameters(List.of(new Tensor("w", new int[] {2, 2}, new float[] {1f, -2f, 0.5f, 0f}),
                new Tensor("b", new int[] {2}, new float[] {0.25f, -1f})));
    }

    @Test
    void update_signFlipFour_uploadsMinusFourTimesTheDelta() {
        ModelParameters delta = delta();

        ModelParameters sent = new ScaledUpdate(-4f, "sign-flip").update(delta, 1);

        assertThat(sent.tensors().get(0).data()).containsExactly(-4f, 8f, -2f, -0f);
        assertThat(sent.tensors().get(1).data()).containsExactly(-1f, 4f);
        assertThat(sent.tensors().get(0).shape()).containsExactly(2, 2);
        assertThat(sent.tensors().get(1).name()).isEqualTo("b");
        assertThat(delta.tensors().get(0).data()).as("the trained delta is not mutated").containsExactly(1f, -2f, 0.5f, 0f);
    }

    @Test
    void update_scaleTen_uploadsTenTimesTheDelta_everyRound() {
        ScaledUpdate scale = new ScaledUpdate(10f, "scale");

        for (long round = 1; round <= 3; round++) {
            ModelParameters sent = scale.update(delta(), round);

            assertThat(sent.tensors().get(0).data()).containsExactly(10f, -20f, 5f, 0f);
            assertThat(sent.tensors().get(1).data()).containsExactly(2.5f, -10f);
        }
    }
}
