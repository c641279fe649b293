package io.flock.coordinator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.flock.core.model.ConfidenceScore;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffloadCalibrationTest {
    // four examples of two classes: the device is sure and right, sure and wrong, unsure and right, unsure and wrong
    private static final float[] DEVICE = {0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f, 0.45f, 0.55f};
    private static final int[] LABELS = {0, 0, 0, 0};
    private static final boolean[] CLOUD = {true, true, false, true};

    @Test
    void curve_maxProbability_handCountedPoints() {
        // scores 0.9, 0.8, 0.6, 0.55; device right on 0 and 2 (2 of 4)
        List<OffloadCalibration.Point> c = OffloadCalibration.curve(DEVICE, 2, LABELS, CLOUD, ConfidenceScore.MAX_PROBABILITY);

        assertThat(c).extracting(OffloadCalibration.Point::offloadRate).containsExactly(0.0, 0.25, 0.5, 0.75, 1.0);
        // offload 0.55 (device wrong, cloud right): 3 of 4; then 0.6 (device right, cloud wrong): 2; then 0.8 (wrong, right): 3;
        // then 0.9 (right, right): 3
        assertThat(c).extracting(OffloadCalibration.Point::hybridAccuracy).containsExactly(0.5, 0.75, 0.5, 0.75, 0.75);
        assertThat(c.get(1).threshold()).isCloseTo(0.6, offset(1e-6));
        // the gap to the cloud (0.75) at rate 0: -0.25, disagreeing on 3 of 4, variance 0.75 - 0.0625; at 0.25: 0, on 2 of 4
        assertThat(c.get(0).gapError()).isCloseTo(Math.sqrt(0.6875 / 4), offset(1e-9));
        assertThat(c.get(1).gapError()).isCloseTo(Math.sqrt(0.5 / 4), offset(1e-9));
        assertThat(c.get(4).gapError()).as("everything offloaded is the cloud model").isZero();
    }

    @Test
    void targets_pickTheRightPoint() {
        List<OffloadCalibration.Point> c = OffloadCalibration.curve(DEVICE, 2, LABELS, CLOUD, ConfidenceScore.MAX_PROBABILITY);

        assertThat(OffloadCalibration.atMostRate(c, 0.3).offloadRate()).isEqualTo(0.25);
        assertThat(OffloadCalibration.lowestRateWithin(c, 0.75, 0.5, 0).offloadRate()).isEqualTo(0.25);
        assertThat(OffloadCalibration.lowestRateWithin(c, 0.80, 1, 0).offloadRate()).as("never reached: offload everything").isEqualTo(1.0);
        // one standard error to spare: 0.75 - 0.354 misses at 0.25; at 0.75 the hybrid answers every example as the cloud
        // does (only the sure and right one stays local, which the cloud gets right too), so its error is 0 and it is reached
        assertThat(OffloadCalibration.lowestRateWithin(c, 0.75, 0.5, 1).offloadRate()).isEqualTo(0.75);
        assertThat(c.get(3).gapError()).isZero();
    }

    @Test
    void scores_handChecked() {
        float[] p = {0.5f, 0.3f, 0.2f};

        assertThat(ConfidenceScore.MAX_PROBABILITY.of(p, 0, 3)).isCloseTo(0.5, offset(1e-6));
        assertThat(ConfidenceScore.MARGIN.of(p, 0, 3)).isCloseTo(0.2, offset(1e-6));
        assertThat(ConfidenceScore.NEGATIVE_ENTROPY.of(p, 0, 3)).isCloseTo(
                0.5 * Math.log(0.5) + 0.3 * Math.log(0.3) + 0.2 * Math.log(0.2), offset(1e-6));
    }

    @Test
    void curve_misalignedInput_refused() {
        assertThatThrownBy(() -> OffloadCalibration.curve(DEVICE, 2, new int[3], CLOUD, ConfidenceScore.MARGIN))
                .hasMessageContaining("one row of 2 probabilities");
        assertThatThrownBy(() -> OffloadCalibration.curve(new float[0], 2, new int[0], new boolean[0], ConfidenceScore.MARGIN))
                .hasMessageContaining("calibration needs");
    }
}
