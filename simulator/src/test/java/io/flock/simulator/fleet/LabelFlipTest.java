package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.data.ByteDataset;
import io.flock.core.data.Dataset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LabelFlipTest {
    /** Four samples of two features each, labels 0, 3, 9, 2. */
    private static ByteDataset data() {
        return new ByteDataset(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new byte[] {0, 3, 9, 2}, 2);
    }

    @Test
    void trainingData_reverse_mapsLabelToNineMinusLabel_keepsTheFeatures() {
        Dataset flipped = LabelFlip.reverse(10).trainingData(data());

        assertThat(flipped.labels()).containsExactly(9, 6, 0, 7);
        assertThat(flipped.size()).isEqualTo(4);
        assertThat(flipped.featureCount()).isEqualTo(2);
        float[] row = new float[2];
        flipped.copyRawFeatures(2, row, 0);
        assertThat(row).containsExactly(5f, 6f);
        assertThat(flipped.subset(new int[] {3, 0}).labels()).as("a subset stays flipped").containsExactly(7, 9);
        assertThat(data().labels()).as("the device's data itself is unchanged").containsExactly(0, 3, 9, 2);
    }

    @Test
    void permutation_sameSeed_sameMap_everyClassMoves() {
        Dataset a = LabelFlip.permutation(10, 5).trainingData(data());
        Dataset b = LabelFlip.permutation(10, 5).trainingData(data());
        int[] all = LabelFlip.permutation(10, 5).trainingData(new ByteDataset(new byte[10], new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 1))
                .labels();

        assertThat(a.labels()).containsExactly(b.labels());
        int[] sorted = all.clone();
        Arrays.sort(sorted);
        assertThat(sorted).as("a permutation of the classes").containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        for (int c = 0; c < 10; c++) {
            assertThat(all[c]).as("class %d moves", c).isNotEqualTo(c);
        }
        assertThat(LabelFlip.permutation(10, 6).trainingData(data()).labels()).isNotEqualTo(a.labels());
    }
}
