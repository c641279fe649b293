package io.flock.core.compress;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PruningTest {
    private static ModelParameters model() {
        return new ModelParameters(List.of(
                new Tensor("w1", new int[] {2, 4}, new float[] {0.1f, -0.8f, 0.3f, -0.05f, 0.6f, 0.2f, -0.4f, 0.7f}),
                new Tensor("b1", new int[] {2}, new float[] {0.01f, -0.02f}),
                new Tensor("w2", new int[] {2, 2}, new float[] {-0.9f, 0.15f, 0.5f, 0.25f})));
    }

    @Test
    void global_keepsExactlyTheTopKMagnitudesOfAllWeights_biasesUntouched() {
        ModelParameters p = Pruning.prune(model(), 0.5, Pruning.Scope.GLOBAL);
        // 12 weights, 6 dropped: 0.05 0.1 0.15 0.2 0.25 0.3; kept: 0.4 0.5 0.6 0.7 0.8 0.9
        assertThat(p.tensors().get(0).data()).containsExactly(0f, -0.8f, 0f, 0f, 0.6f, 0f, -0.4f, 0.7f);
        assertThat(p.tensors().get(1).data()).containsExactly(0.01f, -0.02f);
        assertThat(p.tensors().get(2).data()).containsExactly(-0.9f, 0f, 0.5f, 0f);
        assertThat(Pruning.sparsity(p)).isEqualTo(0.5);
        assertThat(model().tensors().get(0).data()[0]).as("the input is not changed").isEqualTo(0.1f);
    }

    @Test
    void perLayer_prunesEachTensorToTheSameShare() {
        ModelParameters p = Pruning.prune(model(), 0.5, Pruning.Scope.PER_LAYER);
        // w1 keeps its 4 largest of 8 (0.4 0.6 0.7 0.8); w2 its 2 largest of 4
        assertThat(p.tensors().get(0).data()).containsExactly(0f, -0.8f, 0f, 0f, 0.6f, 0f, -0.4f, 0.7f);
        assertThat(p.tensors().get(2).data()).containsExactly(-0.9f, 0f, 0.5f, 0f);
        ModelParameters skewed = new ModelParameters(List.of(new Tensor("a", new int[] {2, 2}, new float[] {1f, 2f, 3f, 4f}),
                new Tensor("c", new int[] {2, 2}, new float[] {0.1f, 0.2f, 0.3f, 0.4f})));
        assertThat(Pruning.prune(skewed, 0.5, Pruning.Scope.PER_LAYER).tensors().get(1).data()).containsExactly(0f, 0f, 0.3f, 0.4f);
        assertThat(Pruning.prune(skewed, 0.5, Pruning.Scope.GLOBAL).tensors().get(1).data()).as("globally c's weights are the small ones")
                .containsExactly(0f, 0f, 0f, 0f);
    }

    @Test
    void equalMagnitudes_theEarlierOneIsKept_soExactlyKRemain() {
        ModelParameters tied = new ModelParameters(List.of(new Tensor("w", new int[] {2, 2}, new float[] {0.5f, -0.5f, 0.5f, 0.5f})));
        assertThat(Pruning.prune(tied, 0.5, Pruning.Scope.GLOBAL).tensors().get(0).data()).containsExactly(0.5f, -0.5f, 0f, 0f);
    }

    @Test
    void theMask_resetsWeightsTrainingMovedOffZero() {
        ModelParameters mask = Pruning.prune(model(), 0.5, Pruning.Scope.GLOBAL);
        ModelParameters trained = model(); // every weight non-zero again
        assertThat(Pruning.applyMask(trained, mask)).isEqualTo(6);
        assertThat(trained.tensors().get(0).data()).containsExactly(0f, -0.8f, 0f, 0f, 0.6f, 0f, -0.4f, 0.7f);
        assertThat(trained.tensors().get(1).data()).as("biases have no mask").containsExactly(0.01f, -0.02f);
    }
}
