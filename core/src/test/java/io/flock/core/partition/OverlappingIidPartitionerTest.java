package io.flock.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OverlappingIidPartitionerTest {
    @Test
    void partition_moreDevicesThanSamples_eachHoldsItsShareAndEverySampleIsUsedEvenly() {
        int[] labels = new int[10];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }

        int[][] parts = new OverlappingIidPartitioner(3).partition(labels, 20, new Random(1));

        assertThat(parts).hasNumberOfRows(20);
        for (int[] p : parts) {
            assertThat(p).hasSize(3).doesNotHaveDuplicates().isSorted();
        }
        int[] uses = new int[labels.length];
        Arrays.stream(parts).flatMapToInt(Arrays::stream).forEach(i -> uses[i]++);
        assertThat(uses).as("20 devices x 3 samples over 10 samples: each sample on 6 devices").containsOnly(6);
    }

    @Test
    void partition_fewerSamplesThanADeviceHolds_refused() {
        assertThatThrownBy(() -> new OverlappingIidPartitioner(11).partition(new int[10], 5, new Random(1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("11 of 10 samples");
        assertThatThrownBy(() -> new OverlappingIidPartitioner(0)).isInstanceOf(InvalidInputException.class);
    }
}
