package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuickSelectTest {
    @Test
    void select_givesEveryRank_andPartitionsAroundIt() {
        Random r = new Random(9);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + r.nextInt(120);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = trial % 3 == 0 ? r.nextInt(4) : (float) r.nextGaussian(); // many ties in a third of the trials
            }
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = r.nextInt(n);

            float v = QuickSelect.select(a, 0, n, k);

            assertThat(v).isEqualTo(sorted[k]);
            for (int i = 0; i < k; i++) {
                assertThat(a[i]).isLessThanOrEqualTo(v);
            }
            for (int i = k + 1; i < n; i++) {
                assertThat(a[i]).isGreaterThanOrEqualTo(v);
            }
            float[] after = a.clone();
            Arrays.sort(after);
            assertThat(after).as("a permutation").containsExactly(sorted);
        }
    }

    @Test
    void select_withinARange_leavesTheRestAlone() {
        float[] a = {9, 8, 5, 1, 4, 3, 2, 0};

        assertThat(QuickSelect.select(a, 2, 7, 3)).isEqualTo(2f); // ranks within (5, 1, 4, 3, 2): 1, 2, 3, 4, 5

        assertThat(a[0]).isEqualTo(9f);
        assertThat(a[1]).isEqualTo(8f);
        assertThat(a[7]).isEqualTo(0f);
    }
}
