package io.flock.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {
    @Test
    void new_withoutMu_isPlainSgd() {
        assertThat(new TrainingConfig(0.1f, 10, 1).proximalMu()).isZero();
    }

    @Test
    void new_proximalMuNegativeNaNOrInfinite_rejectedNamingTheKey() {
        assertThatThrownBy(() -> new TrainingConfig(0.1f, 10, 1, -0.01f)).isInstanceOf(InvalidInputException.class)
                .hasMessage("proximal-mu must be in [0, 10.0], got -0.01");
        assertThatThrownBy(() -> new TrainingConfig(0.1f, 10, 1, Float.NaN)).hasMessage("proximal-mu must be in [0, 10.0], got NaN");
        assertThatThrownBy(() -> new TrainingConfig(0.1f, 10, 1, Float.POSITIVE_INFINITY)).hasMessageContaining("proximal-mu");
    }
}
