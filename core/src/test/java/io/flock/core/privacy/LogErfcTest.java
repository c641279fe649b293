package io.flock.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogErfcTest {
    @Test
    void of_tabulatedValues_matchToNearFullPrecision() {
        // erfc(x) to 16 digits (Abramowitz & Stegun Table 7.1 extended; the same as C99 erfc)
        assertThat(LogErfc.of(0.0)).isEqualTo(0.0, within(1e-15));
        assertThat(LogErfc.of(0.5)).isCloseTo(Math.log(0.4795001221869535), within(1e-13));
        assertThat(LogErfc.of(1.0)).isCloseTo(Math.log(0.15729920705028513), within(1e-13));
        assertThat(LogErfc.of(2.0)).isCloseTo(Math.log(0.004677734981047265), within(1e-13));
        assertThat(LogErfc.of(-1.0)).isCloseTo(Math.log(1.842700792949715), within(1e-13));
        assertThat(LogErfc.of(-3.0)).isCloseTo(Math.log(1.9999779095030015), within(1e-13));
        assertThat(LogErfc.of(10.0)).isCloseTo(Math.log(2.088487583762545e-45), within(1e-11));
    }

    @Test
    void of_farTail_followsTheLeadingAsymptoticTerm() {
        // erfc(x) ~ exp(-x^2) / (x sqrt(pi)) * (1 - 1/(2x^2)): far below the smallest double
        for (double x : new double[] {40, 100, 1e4}) {
            double leading = -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log1p(-0.5 / (x * x));
            assertThat(LogErfc.of(x)).isCloseTo(leading, within(1e-9 * Math.abs(leading)));
        }
    }

    @Test
    void of_infinitiesAndNaN_haveTheirLimits() {
        assertThat(LogErfc.of(Double.POSITIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(LogErfc.of(Double.NEGATIVE_INFINITY)).isEqualTo(Math.log(2));
        assertThat(LogErfc.of(Double.NaN)).isNaN();
    }

    @Test
    void of_acrossTheMethodBoundaries_isContinuous() {
        for (double cut : new double[] {-1.5, 1.5, 30}) {
            assertThat(LogErfc.of(Math.nextDown(cut))).isCloseTo(LogErfc.of(cut), within(1e-12 * (1 + cut * cut)));
        }
    }
}
