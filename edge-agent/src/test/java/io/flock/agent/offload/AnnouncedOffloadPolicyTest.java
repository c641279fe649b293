package io.flock.agent.offload;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.OffloadAdvice;
import io.flock.core.model.Prediction;
import org.junit.jupiter.api.Test;

class AnnouncedOffloadPolicyTest {
    private static final Prediction UNSURE = Prediction.of(new float[] {0.55f, 0.45f}, "m", 1); // max 0.55, margin 0.1
    private static final Prediction SURE = Prediction.of(new float[] {0.75f, 0.25f}, "m", 1);   // max 0.75, margin 0.5

    @Test
    void shouldOffload_beforeAdvice_followsTheFixedPolicy_afterAdvice_theAdvice() {
        AnnouncedOffloadPolicy p = new AnnouncedOffloadPolicy(new ConfidenceOffloadPolicy(0.6));

        assertThat(p.shouldOffload(UNSURE)).isTrue();
        assertThat(p.shouldOffload(SURE)).isFalse();
        assertThat(p.advice()).isEmpty();

        p.adopt(new OffloadAdvice(ConfidenceScore.MARGIN, 0.6, 0.3, 0.9, 0.8, 0.9, "cloud", 2));

        assertThat(p.shouldOffload(UNSURE)).isTrue();
        assertThat(p.shouldOffload(SURE)).isTrue(); // margin 0.5 < 0.6
        assertThat(p.advice()).map(OffloadAdvice::score).contains(ConfidenceScore.MARGIN);
    }
}
