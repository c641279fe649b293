package io.flock.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class PsiTest {
    @Test
    void identicalShares_giveZero() {
        assertThat(Psi.of(new long[] {10, 20, 30, 40}, new long[] {10, 20, 30, 40})).isZero();
        assertThat(Psi.of(new long[] {10, 20, 30, 40}, new long[] {100, 200, 300, 400})).isCloseTo(0, within(1e-15));
    }

    @Test
    void knownCase_matchesTheHandComputedIndex() {
        // shares e = (1/2, 1/2), a = (1/4, 3/4): (-1/4) ln(1/2) + (1/4) ln(3/2) = (1/4) ln 3
        assertThat(Psi.of(new long[] {50, 50}, new long[] {25, 75})).isCloseTo(0.25 * Math.log(3), within(1e-9));
        // swapping the sides gives the same index
        assertThat(Psi.of(new long[] {25, 75}, new long[] {50, 50})).isCloseTo(0.25 * Math.log(3), within(1e-9));
    }

    @Test
    void emptyBin_isSmoothedToTheFloorShare() {
        // e = (1, 0 -> 1e-4), a = (1/2, 1/2): (1/2 - 1) ln(1/2) + (1/2 - 1e-4) ln(1/2 / 1e-4)
        double expected = 0.5 * Math.log(2) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
        assertThat(Psi.of(new long[] {100, 0}, new long[] {50, 50})).isCloseTo(expected, within(1e-9));
        assertThat(Psi.MIN_SHARE).isEqualTo(1e-4);
    }

    @Test
    void strongShift_isAMajorShift() {
        long[] reference = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
        long[] shifted = {0, 0, 0, 100, 100, 100, 100, 200, 200, 200};   // mass moved from the three low bins to the high ones

        assertThat(Psi.of(reference, shifted)).isGreaterThan(0.2);
        assertThat(Psi.of(reference, new long[] {90, 110, 100, 100, 95, 105, 100, 100, 100, 100})).isLessThan(0.01);
    }

    @Test
    void badCounts_areRefused() {
        assertThatThrownBy(() -> Psi.of(new long[] {1, 2}, new long[] {1, 2, 3})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2 and 3");
        assertThatThrownBy(() -> Psi.of(new long[0], new long[0])).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Psi.of(new long[] {0, 0}, new long[] {1, 2})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("expected must have a total > 0");
        assertThatThrownBy(() -> Psi.of(new long[] {1, 2}, new long[] {0, 0})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("actual must have a total > 0");
        assertThatThrownBy(() -> Psi.of(new long[] {1, -2}, new long[] {1, 2})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("expected[1] must be >= 0, got -2");
        assertThatThrownBy(() -> Psi.of(null, new long[] {1})).isInstanceOf(InvalidInputException.class).hasMessageContaining("null");
    }
}
