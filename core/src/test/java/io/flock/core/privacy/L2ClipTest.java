package io.flock.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class L2ClipTest {
    /** w = [3], b = [4]: norm 5 across both tensors. */
    private static ModelParameters threeFour() {
        return new ModelParameters(List.of(new Tensor("w", new int[] {1}, new float[] {3}),
                new Tensor("b", new int[] {1}, new float[] {4})));
    }

    @Test
    void clip_normAboveBound_scalesAllTensorsToTheBound() {
        L2Clip.Clipped result = new L2Clip(1.0).clip(threeFour());

        assertThat(result.norm()).isEqualTo(5.0);
        assertThat(result.clipped()).isTrue();
        assertThat(result.parameters().tensors().get(0).data()).containsExactly(0.6f);
        assertThat(result.parameters().tensors().get(1).data()).containsExactly(0.8f);
        assertThat(L2Clip.norm(result.parameters())).isCloseTo(1.0, within(1e-7));
    }

    @Test
    void clip_normAtOrBelowBound_returnsAnEqualCopy() {
        ModelParameters input = threeFour();

        L2Clip.Clipped atBound = new L2Clip(5.0).clip(input);
        L2Clip.Clipped below = new L2Clip(10.0).clip(input);

        assertThat(atBound.clipped()).isFalse();
        assertThat(below.clipped()).isFalse();
        assertThat(below.norm()).isEqualTo(5.0);
        assertThat(below.parameters()).isNotSameAs(input);
        assertThat(below.parameters().tensors().get(0).data()).containsExactly(3f);
        assertThat(below.parameters().tensors().get(1).data()).containsExactly(4f);
    }

    @Test
    void clip_anyInput_leavesTheInputUntouched() {
        ModelParameters input = threeFour();

        new L2Clip(1.0).clip(input);

        assertThat(input.tensors().get(0).data()).containsExactly(3f);
        assertThat(input.tensors().get(1).data()).containsExactly(4f);
    }

    @Test
    void clip_zeroUpdate_staysZeroWithNormZero() {
        ModelParameters zero = new ModelParameters(List.of(new Tensor("w", new int[] {2}, new float[] {0, 0})));

        L2Clip.Clipped result = new L2Clip(1.0).clip(zero);

        assertThat(result.norm()).isZero();
        assertThat(result.clipped()).isFalse();
        assertThat(result.parameters().tensors().get(0).data()).containsExactly(0f, 0f);
    }

    @Test
    void norm_hugeFloats_doesNotOverflow() {
        ModelParameters huge = new ModelParameters(List.of(
                new Tensor("w", new int[] {2}, new float[] {3e38f, 3e38f})));

        assertThat(L2Clip.norm(huge)).isCloseTo(Math.sqrt(2) * 3e38, within(1e32));
    }

    @Test
    void constructor_badBound_isRejectedNamingIt() {
        assertThatThrownBy(() -> new L2Clip(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("0.0");
        assertThatThrownBy(() -> new L2Clip(-1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new L2Clip(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new L2Clip(Double.POSITIVE_INFINITY)).hasMessageContaining("Infinity");
    }

    @Test
    void clip_nonFiniteValue_isRejectedNamingTensorAndIndex() {
        ModelParameters bad = new ModelParameters(List.of(
                new Tensor("w", new int[] {2}, new float[] {1, Float.NaN})));

        assertThatThrownBy(() -> new L2Clip(1.0).clip(bad)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("w").hasMessageContaining("index 1");
    }
}
