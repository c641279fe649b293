package io.flock.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class BinEdgesTest {
    private static double[] range(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @Test
    void quantiles_of0To99InTenBins_cutAtTensAndFillEachBinEqually() {
        double[] sample = range(100);

        BinEdges e = BinEdges.quantiles(sample, 10);

        assertThat(e.cuts()).containsExactly(10, 20, 30, 40, 50, 60, 70, 80, 90);   // rule: sorted[floor(j n / bins)]
        assertThat(e.bins()).isEqualTo(10);
        long[] counts = new long[e.bins()];
        for (double v : sample) {
            counts[e.bin(v)]++;
        }
        assertThat(counts).containsOnly(10);
    }

    @Test
    void quantiles_ignoreOrder_andLeaveTheSampleAlone() {
        double[] shuffled = {7, 3, 9, 1, 5, 0, 8, 2, 6, 4};
        double[] before = shuffled.clone();

        BinEdges e = BinEdges.quantiles(shuffled, 4);   // n = 10: indices floor(2.5) = 2, 5, floor(7.5) = 7

        assertThat(e.cuts()).containsExactly(2, 5, 7);
        assertThat(shuffled).containsExactly(before);
    }

    @Test
    void quantiles_withTies_dropRepeatedCuts() {
        assertThat(BinEdges.quantiles(new double[] {1, 1, 1, 1, 2, 2, 3, 3}, 4).cuts()).containsExactly(1, 2, 3);
        assertThat(BinEdges.quantiles(new double[] {5, 5, 5, 5, 5, 5, 5, 9}, 4).cuts()).containsExactly(5);
        BinEdges constant = BinEdges.quantiles(new double[] {0.3, 0.3, 0.3}, 10);
        assertThat(constant.cuts()).containsExactly(0.3);
        assertThat(constant.bins()).isEqualTo(2);
        assertThat(BinEdges.quantiles(new double[] {-0.0, 0.0, 0.0, -0.0}, 3).cuts()).containsExactly(0.0);
    }

    @Test
    void bin_putsEachCutInTheBinAboveIt() {
        BinEdges e = new BinEdges(new double[] {0, 1, 2});

        assertThat(e.bins()).isEqualTo(4);
        assertThat(e.bin(Double.NEGATIVE_INFINITY)).isZero();
        assertThat(e.bin(-1e-12)).isZero();
        assertThat(e.bin(0)).isEqualTo(1);
        assertThat(e.bin(-0.0)).isEqualTo(1);
        assertThat(e.bin(Math.nextDown(1.0))).isEqualTo(1);
        assertThat(e.bin(1)).isEqualTo(2);
        assertThat(e.bin(2)).isEqualTo(3);
        assertThat(e.bin(Double.POSITIVE_INFINITY)).isEqualTo(3);
        assertThat(new BinEdges(new double[] {5}).bin(4.9)).isZero();
        assertThat(new BinEdges(new double[] {5}).bin(5)).isEqualTo(1);
        assertThatThrownBy(() -> e.bin(Double.NaN)).isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
    }

    @Test
    void constructor_refusesCutsThatCannotBeEdges() {
        assertThatThrownBy(() -> new BinEdges(new double[0])).isInstanceOf(InvalidInputException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new BinEdges(null)).isInstanceOf(InvalidInputException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> new BinEdges(new double[] {0, Double.NaN})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cut 1").hasMessageContaining("NaN");
        assertThatThrownBy(() -> new BinEdges(new double[] {Double.NEGATIVE_INFINITY, 0})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("-Infinity");
        assertThatThrownBy(() -> new BinEdges(new double[] {0, 1, 1})).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("strictly increase").hasMessageContaining("cut 2 = 1.0");
        assertThatThrownBy(() -> new BinEdges(new double[] {2, 1})).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new BinEdges(new double[] {-0.0, 0.0})).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void quantiles_refuseBadSamplesAndBinCounts() {
        assertThatThrownBy(() -> BinEdges.quantiles(new double[0], 10)).isInstanceOf(InvalidInputException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> BinEdges.quantiles(range(10), 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("got 1");
        assertThatThrownBy(() -> BinEdges.quantiles(new double[] {1, Double.NaN}, 2)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("sample value 1");
        assertThatThrownBy(() -> BinEdges.quantiles(new double[] {Double.POSITIVE_INFINITY}, 2)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void cuts_areCopiedInAndOut_andEqualityIsByContent() {
        double[] cuts = {1, 2};
        BinEdges e = new BinEdges(cuts);
        cuts[0] = -5;
        e.cuts()[1] = 99;

        assertThat(e.cuts()).containsExactly(1, 2);
        assertThat(e).isEqualTo(new BinEdges(new double[] {1, 2})).hasSameHashCodeAs(new BinEdges(new double[] {1, 2}));
        assertThat(e).isNotEqualTo(new BinEdges(new double[] {1, 3}));
        assertThat(new BinEdges(new double[] {-0.0})).isEqualTo(new BinEdges(new double[] {0.0}));
        assertThat(e).hasToString("BinEdges[1.0, 2.0]");
    }
}
