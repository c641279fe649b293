package io.flock.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class NoiseCalibrationTest {
    @Test
    void noiseMultiplier_opacusPublishedCases_agree() {
        // pytorch/opacus@4d0ebc84613d214fbfd37fbfd1390e3747a625ce opacus/tests/accountants_test.py:
        // test_get_noise_multiplier_rdp_steps (eps 8, delta 1e-5, q 0.04, 2000 steps -> 1.3562) and
        // test_get_noise_multiplier_rdp_epochs (90 epochs = 2250 steps -> 1.416). Opacus stops its bisection
        // once epsilon is within 0.01 below the target, so its z sits slightly above the exact threshold.
        assertThat(NoiseCalibration.noiseMultiplier(8, 0.04, 2000, 1e-5)).isCloseTo(1.3562, within(0.005));
        assertThat(NoiseCalibration.noiseMultiplier(8, 0.04, 2250, 1e-5)).isCloseTo(1.416, within(0.005));
    }

    @Test
    void noiseMultiplier_anyTarget_meetsItAndIsTightToATenthOfAPercent() {
        double target = 2.0;

        double z = NoiseCalibration.noiseMultiplier(target, 0.01, 3000, 1e-5);

        assertThat(RdpAccountant.epsilon(0.01, z, 3000, 1e-5)).isLessThanOrEqualTo(target);
        assertThat(RdpAccountant.epsilon(0.01, z * (1 - 2e-3), 3000, 1e-5)).isGreaterThan(target);
    }

    @Test
    void noiseMultiplier_nothingSpent_isZero() {
        assertThat(NoiseCalibration.noiseMultiplier(1.0, 0.0, 100, 1e-5)).isZero();
        assertThat(NoiseCalibration.noiseMultiplier(1.0, 0.5, 0, 1e-5)).isZero();
    }

    @Test
    void noiseMultiplier_unreachableOrBadTarget_throwsNamingIt() {
        assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(0, 0.01, 100, 1e-5))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("targetEpsilon").hasMessageContaining("0.0");
        assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(-1, 0.01, 100, 1e-5)).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(Double.NaN, 0.01, 100, 1e-5)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(1e-9, 1.0, 1000, 1e-10))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("out of reach");
        assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(1.0, 2.0, 100, 1e-5)).hasMessageContaining("samplingRate");
    }
}
