package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RobustAggregatorsTest {
    private static final long HEAP = 1L << 30;

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static ClientUpdate u(String device, double weight, float... delta) {
        return new ClientUpdate(device, 1, p(delta), weight, 1, 0);
    }

    private static float[] delta(AggregatedUpdate a) {
        return a.delta().tensors().get(0).data();
    }

    @Test
    void median_oddAndEvenCounts_unweighted() {
        CoordinateMedian odd = new CoordinateMedian(p(0, 0), HEAP);
        odd.add(u("a", 1, 1, 10));
        odd.add(u("b", 1, 2, 20));
        odd.add(u("c", 1000, 100, -5)); // a huge weight changes nothing: (1, 2, 100) -> 2, (-5, 10, 20) -> 10
        CoordinateMedian even = new CoordinateMedian(p(0, 0), HEAP);
        even.add(u("a", 1, 1, 10));
        even.add(u("b", 1, 2, 20));
        even.add(u("c", 1, 100, -5));
        even.add(u("d", 1, 3, 0));      // (1, 2, 3, 100) -> 2.5, (-5, 0, 10, 20) -> 5

        AggregatedUpdate r = odd.result();

        assertThat(delta(r)).containsExactly(2f, 10f);
        assertThat(r.totalWeight()).isEqualTo(1002);
        assertThat(r.contributors()).isEqualTo(3);
        assertThat(delta(even.result())).containsExactly(2.5f, 5f);
    }

    @Test
    void trimmedMean_dropsFloorBetaKFromEachEnd() {
        TrimmedMean tm = new TrimmedMean(p(0, 0), 0.2, HEAP); // K = 5: floor(0.2 * 5) = 1 from each end
        tm.add(u("a", 1, 1, -50));
        tm.add(u("b", 1, 2, 0));
        tm.add(u("c", 1, 3, 1));
        tm.add(u("d", 1, 4, 2));
        tm.add(u("e", 9, 100, 3));  // (1, 2, 3, 4, 100) -> mean(2, 3, 4) = 3 ; (-50, 0, 1, 2, 3) -> mean(0, 1, 2) = 1

        AggregatedUpdate r = tm.result();

        assertThat(delta(r)).containsExactly(3f, 1f);
        assertThat(r.totalWeight()).isEqualTo(13);
        assertThat(r.contributors()).isEqualTo(5);
    }

    @Test
    void trimmedMean_needsEnoughUpdatesToTrimAnything() {
        assertThat(TrimmedMean.minimumUpdates(0.0)).isEqualTo(1);
        assertThat(TrimmedMean.minimumUpdates(0.1)).isEqualTo(10);
        assertThat(TrimmedMean.minimumUpdates(0.2)).isEqualTo(5);
        assertThat(TrimmedMean.minimumUpdates(0.25)).isEqualTo(4);
        assertThat(TrimmedMean.minimumUpdates(0.3)).isEqualTo(4);
        assertThat(TrimmedMean.minimumUpdates(0.49)).isEqualTo(3);
        assertThat(TrimmedMean.minimumUpdates(1e-12)).isEqualTo(Integer.MAX_VALUE);
        TrimmedMean four = new TrimmedMean(p(0), 0.2, HEAP);
        for (String d : List.of("a", "b", "c", "d")) {
            four.add(u(d, 1, 1));
        }

        assertThat(four.minimumUpdates()).isEqualTo(5);
        assertThatThrownBy(four::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("needs at least 5");
        assertThatThrownBy(() -> new TrimmedMean(p(0), 0.5, HEAP)).isInstanceOf(InvalidInputException.class).hasMessageContaining("[0, 0.5)");
        assertThatThrownBy(() -> new TrimmedMean(p(0), -0.1, HEAP)).isInstanceOf(InvalidInputException.class);
    }

    /** Four honest updates near the origin and one attacker far away; f = 1, so K = 5 = 2f + 3. */
    private static List<ClientUpdate> krumExample() {
        // squared distances and each score (sum of the K - f - 2 = 2 nearest):
        //   a(0,0): b 1, c 4, d 2, e 200  -> 1 + 2 = 3
        //   b(1,0): a 1, c 5, d 1, e 181  -> 1 + 1 = 2
        //   c(0,2): a 4, b 5, d 2, e 164  -> 2 + 4 = 6
        //   d(1,1): a 2, b 1, c 2, e 162  -> 1 + 2 = 3
        //   e(10,10): 162 + 164           -> 326
        return List.of(u("a", 1, 0, 0), u("b", 2, 1, 0), u("c", 4, 0, 2), u("d", 8, 1, 1), u("e", 1000, 10, 10));
    }

    @Test
    void krum_picksTheMostCentralUpdate() {
        Krum krum = new Krum(p(0, 0), 1, 1, HEAP);
        krumExample().forEach(krum::add);

        AggregatedUpdate r = krum.result();

        assertThat(delta(r)).containsExactly(1f, 0f);
        assertThat(krum.selected()).containsExactly("b");
        assertThat(r.totalWeight()).as("the selected update's weight only").isEqualTo(2);
        assertThat(r.contributors()).isEqualTo(1);
    }

    @Test
    void multiKrum_averagesTheMLowestScores_tiesByDeviceId() {
        Krum three = new Krum(p(0, 0), 1, 3, HEAP);
        Krum kMinusF = new Krum(p(0, 0), 1, 0, HEAP);
        krumExample().forEach(three::add);
        krumExample().forEach(kMinusF::add);

        AggregatedUpdate r3 = three.result();     // b (2), then a and d (3, tie by id): mean of (1,0), (0,0), (1,1)
        AggregatedUpdate r4 = kMinusF.result();   // m = K - f = 4: b, a, d, c: (2, 3) / 4

        assertThat(three.selected()).containsExactly("b", "a", "d");
        assertThat(delta(r3)[0]).isCloseTo(2f / 3, within(1e-7f));
        assertThat(delta(r3)[1]).isCloseTo(1f / 3, within(1e-7f));
        assertThat(r3.totalWeight()).isEqualTo(11);
        assertThat(kMinusF.selected()).containsExactly("b", "a", "d", "c").doesNotContain("e");
        assertThat(delta(r4)).containsExactly(0.5f, 0.75f);
    }

    @Test
    void krum_needs2fPlus3_andMPlusF() {
        Krum krum = new Krum(p(0, 0), 1, 1, HEAP);
        krumExample().subList(0, 4).forEach(krum::add);

        assertThat(krum.minimumUpdates()).isEqualTo(5);
        assertThat(new Krum(p(0), 1, 6, HEAP).minimumUpdates()).isEqualTo(7);
        assertThatThrownBy(krum::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("krum(f=1) needs at least 5");
    }

    @Test
    void normBound_scalesLongUpdatesDownToTheBound_andKeepsShortOnes() {
        NormBound bounded = new NormBound(new WeightedMean(p(0, 0)), 5f);
        bounded.add(u("short", 1, 3, 4));   // norm 5: kept
        bounded.add(u("long", 1, 60, 80));  // norm 100: scaled by 1/20 to (3, 4)

        AggregatedUpdate r = bounded.result();

        assertThat(delta(r)[0]).isCloseTo(3f, within(1e-6f));
        assertThat(delta(r)[1]).isCloseTo(4f, within(1e-6f));
        assertThat(bounded.clipped()).isEqualTo(1);
        assertThat(bounded.count()).isEqualTo(2);
        assertThatThrownBy(() -> bounded.add(u("shape", 1, 1))).isInstanceOf(InvalidInputException.class);
        assertThat(bounded.count()).isEqualTo(2);
        assertThat(new NormBound(new Krum(p(0), 2, 1, HEAP), 1f).minimumUpdates()).isEqualTo(7);
    }

    @Test
    void add_wrongShape_isRefused_andAddsNothing() {
        CoordinateMedian median = new CoordinateMedian(p(0, 0), HEAP);

        assertThatThrownBy(() -> median.add(u("shape", 1, 1, 1, 1))).isInstanceOf(InvalidInputException.class);
        assertThat(median.count()).isZero();
        assertThatThrownBy(median::result).isInstanceOf(IllegalStateException.class);
    }

    private static ModelParameters random(Random r, int size) {
        float[] w = new float[size - 10];
        float[] b = new float[10];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        return new ModelParameters(List.of(new Tensor("w", new int[] {w.length}, w), new Tensor("b", new int[] {10}, b)));
    }

    /** 7 updates of 300,000 values: two coordinate blocks, so reads cross block and tensor boundaries. */
    private static List<ClientUpdate> randomUpdates() {
        Random r = new Random(11);
        List<ClientUpdate> us = new ArrayList<>();
        for (int k = 0; k < 7; k++) {
            us.add(new ClientUpdate("d" + k, 1, random(r, 300_000), 1 + k, 1, 0));
        }
        return us;
    }

    @Test
    void spilledToDisk_orShuffled_givesTheSameBitsAsOnTheHeap() {
        List<ClientUpdate> updates = randomUpdates();
        ModelParameters layout = updates.get(0).delta();
        long row = 300_000L * Float.BYTES;
        List<Function<Long, BufferingAggregator>> rules = List.of(budget -> new CoordinateMedian(layout, budget),
                budget -> new TrimmedMean(layout, 0.2, budget), budget -> new Krum(layout, 2, 0, budget));
        for (Function<Long, BufferingAggregator> rule : rules) {
            BufferingAggregator heap = rule.apply(HEAP);
            updates.forEach(heap::add);
            List<ClientUpdate> shuffled = new ArrayList<>(updates);
            Collections.shuffle(shuffled, new Random(3));
            BufferingAggregator partly = rule.apply(3 * row);
            shuffled.forEach(partly::add);
            BufferingAggregator disk = rule.apply(0L);
            updates.forEach(disk::add);

            assertThat(heap.buffer.spilled()).isZero();
            assertThat(partly.buffer.spilled()).isEqualTo(4);
            assertThat(disk.buffer.spilled()).isEqualTo(7);
            assertThat(heap.buffer.blockSize()).isLessThan(300_000);
            AggregatedUpdate expected = heap.result();
            for (AggregatedUpdate other : List.of(partly.result(), disk.result())) {
                for (int t = 0; t < 2; t++) {
                    assertThat(other.delta().tensors().get(t).data()).as(rule.apply(HEAP).toString()) // isEqualTo: Arrays.equals, bit for bit
                            .isEqualTo(expected.delta().tensors().get(t).data());
                }
                assertThat(other.totalWeight()).isEqualTo(expected.totalWeight());
            }
        }
    }

    @Test
    void median_acrossBlocks_matchesAPlainPerCoordinateMedian() {
        List<ClientUpdate> updates = randomUpdates();
        CoordinateMedian median = new CoordinateMedian(updates.get(0).delta(), 0);
        updates.forEach(median::add);
        int block = median.buffer.blockSize();

        AggregatedUpdate r = median.result();

        float[] w = r.delta().tensors().get(0).data();
        for (int j : new int[] {0, 1, block - 1, block, block + 1, w.length - 1}) {
            float[] column = new float[updates.size()];
            for (int k = 0; k < column.length; k++) {
                column[k] = updates.get(k).delta().tensors().get(0).data()[j];
            }
            java.util.Arrays.sort(column);
            assertThat(w[j]).as("coordinate %d", j).isEqualTo(column[3]);
        }
        float[] b = r.delta().tensors().get(1).data();
        float[] column = new float[updates.size()];
        for (int k = 0; k < column.length; k++) {
            column[k] = updates.get(k).delta().tensors().get(1).data()[9];
        }
        java.util.Arrays.sort(column);
        assertThat(b[9]).isEqualTo(column[3]);
    }
}
