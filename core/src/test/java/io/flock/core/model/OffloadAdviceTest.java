package io.flock.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class OffloadAdviceTest {
    @Test
    void offloads_belowTheThresholdOnItsScore() {
        OffloadAdvice margin = advice(ConfidenceScore.MARGIN, 0.3);

        assertThat(margin.offloads(new float[] {0.5f, 0.3f, 0.2f})).isTrue();   // margin 0.2
        assertThat(margin.offloads(new float[] {0.7f, 0.2f, 0.1f})).isFalse();  // margin 0.5
    }

    @Test
    void scoreNames_roundTrip_unknownNameIsRefused() {
        for (ConfidenceScore s : ConfidenceScore.values()) {
            assertThat(ConfidenceScore.parse(s.wireName())).isEqualTo(s);
        }
        assertThat(ConfidenceScore.NEGATIVE_ENTROPY.wireName()).isEqualTo("negative-entropy");
        assertThatThrownBy(() -> ConfidenceScore.parse("entropy")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'entropy'").hasMessageContaining("max-probability");
    }

    @Test
    void thresholdsAndSharesOutsideTheirRanges_areRefused() {
        assertThatThrownBy(() -> advice(ConfidenceScore.MAX_PROBABILITY, 1.5)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> advice(ConfidenceScore.MAX_PROBABILITY, Double.NaN)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> advice(ConfidenceScore.NEGATIVE_ENTROPY, 0.5)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new OffloadAdvice(ConfidenceScore.MARGIN, 0.2, 1.2, 0.9, 0.8, 0.9, "c", 1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("1.2");
        assertThat(advice(ConfidenceScore.NEGATIVE_ENTROPY, -0.7).threshold()).isEqualTo(-0.7);
        assertThat(advice(ConfidenceScore.MAX_PROBABILITY, Math.nextUp(1.0)).offloads(new float[] {1f, 0f})).isTrue();
    }

    private static OffloadAdvice advice(ConfidenceScore score, double threshold) {
        return new OffloadAdvice(score, threshold, 0.2, 0.9, 0.8, 0.91, "cloud", 3);
    }
}
