package io.flock.core.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingWeightedMeanTest {
    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @Test
    void mean_weightsByExamples() {
        StreamingWeightedMean m = new StreamingWeightedMean(p(0, 0));
        m.add(p(1, 2), 1);   // weight 1
        m.add(p(4, 8), 3);   // weight 3 -> (1*1 + 3*4)/4 = 3.25, (1*2 + 3*8)/4 = 6.5

        assertThat(m.mean().tensors().get(0).data()).containsExactly(3.25f, 6.5f);
        assertThat(m.count()).isEqualTo(2);
        assertThat(m.totalWeight()).isEqualTo(4.0);
    }

    @Test
    void add_wrongShapeOrBadWeight_isRejectedAndChangesNothing() {
        StreamingWeightedMean m = new StreamingWeightedMean(p(0, 0));
        m.add(p(2, 2), 1);

        assertThatThrownBy(() -> m.add(p(1, 2, 3), 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("w[3]");
        assertThatThrownBy(() -> m.add(p(1, 1), 0)).hasMessageContaining("weight");
        assertThatThrownBy(() -> m.add(p(1, 1), Double.NaN)).hasMessageContaining("weight");
        assertThatThrownBy(() -> m.add(p(1, 1), 1e300)).hasMessageContaining("weight");   // infinite as a float

        assertThat(m.count()).isEqualTo(1);
        assertThat(m.mean().tensors().get(0).data()).containsExactly(2f, 2f);
    }

    @Test
    void mean_afterANonFiniteValueSlippedIn_throwsInsteadOfReturningIt() {
        StreamingWeightedMean m = new StreamingWeightedMean(p(0, 0));
        m.add(p(1, 1), 1);
        m.add(p(1, Float.POSITIVE_INFINITY), 1);   // callers check updates where they enter; this one did not

        assertThatThrownBy(m::mean).isInstanceOf(IllegalStateException.class).hasMessageContaining("w").hasMessageContaining("index 1");
    }

    @Test
    void mean_ofManyUpdates_staysWithinAnUlpOfTheExactMean() {
        // 0.1f added 200,000 times: a plain float running sum drifts by about 1 % (each addition rounds at the sum's
        // magnitude); the compensated sum keeps the mean at 0.1f.
        StreamingWeightedMean m = new StreamingWeightedMean(p(0, 0));
        for (int i = 0; i < 200_000; i++) {
            m.add(p(0.1f, -3.7f), 3);
        }
        float[] mean = m.mean().tensors().get(0).data();
        assertThat(mean[0]).isCloseTo(0.1f, org.assertj.core.data.Offset.offset(Math.ulp(0.1f)));
        assertThat(mean[1]).isCloseTo(-3.7f, org.assertj.core.data.Offset.offset(Math.ulp(3.7f)));
        assertThat(m.totalWeight()).isEqualTo(600_000.0);
    }

    @Test
    void mean_empty_throws() {
        assertThatThrownBy(() -> new StreamingWeightedMean(p(0)).mean()).isInstanceOf(IllegalStateException.class);
    }
}
