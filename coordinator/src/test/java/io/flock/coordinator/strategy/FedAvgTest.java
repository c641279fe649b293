package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FedAvgTest {
    private final FedAvg fedAvg = new FedAvg();

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @Test
    void result_isGlobalPlusExampleWeightedMeanDelta() {
        Aggregator a = fedAvg.newAggregator(p(10, 10));
        a.add(p(1, -1), 100);   // delta from a device with 100 examples
        a.add(p(-1, 3), 300);   // mean delta = (100*1 - 300*1)/400 = -0.5 ; (-100 + 900)/400 = 2

        assertThat(a.result().tensors().get(0).data()).containsExactly(9.5f, 12f);
        assertThat(a.count()).isEqualTo(2);
    }

    @Test
    void selectDevices_sameSeedSameDevices_andNeverMoreThanAvailable() {
        List<String> available = List.of("a", "b", "c", "d", "e", "f");

        List<String> first = fedAvg.selectDevices(1, available, 3, new Random(42));
        List<String> again = fedAvg.selectDevices(1, available, 3, new Random(42));

        assertThat(first).hasSize(3).isEqualTo(again).isSubsetOf(available).doesNotHaveDuplicates();
        assertThat(fedAvg.selectDevices(1, List.of("x"), 3, new Random(0))).containsExactly("x");
        assertThat(fedAvg.selectDevices(1, List.of(), 3, new Random(0))).isEmpty();
    }
}
