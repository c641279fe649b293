package io.flock.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pins the order for one seed: training batches and partitions (the W1 benchmark's too) depend on it. */
class ShuffleTest {
    @Test
    void permutation_seed42_givesPinnedOrder() {
        Random random = new Random(42);

        int[] order = Shuffle.permutation(10, random);

        assertThat(order).containsExactly(4, 6, 2, 1, 7, 9, 8, 5, 3, 0);
    }

    @Test
    void shuffle_secondEpoch_reshufflesThePreviousOrderAndDrawsNMinusOneValues() {
        Random random = new Random(42);
        int[] order = Shuffle.permutation(10, random);

        Shuffle.shuffle(order, random);

        assertThat(order).containsExactly(5, 7, 9, 3, 6, 8, 4, 0, 2, 1);
        assertThat(random.nextInt()).as("the next draw after 2 x 9").isEqualTo(-932429809);
    }

    @Test
    void shuffle_emptyAndSingle_drawNothing() {
        Random random = new Random(42);

        Shuffle.shuffle(new int[0], random);
        Shuffle.shuffle(new int[] {7}, random);

        assertThat(random.nextInt()).isEqualTo(new Random(42).nextInt());
    }
}
