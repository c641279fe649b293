package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.core.train.TrainingConfig;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StrategyTest {
    private static final TrainingPlan PLAN = new TrainingPlan(new TrainingConfig(0.1f, 10, 1), "fp32", 0, 0, false);
    private final Strategy fedAvg = Strategy.fedAvg(PLAN, 1f);

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static ClientUpdate u(String device, double weight, float... delta) {
        return new ClientUpdate(device, 1, p(delta), weight, 1, 0);
    }

    @Test
    void fedAvg_isGlobalPlusExampleWeightedMeanDelta() {
        Aggregator a = fedAvg.aggregators().apply(p(10, 10));
        a.add(u("d1", 100, 1, -1));   // delta from a device with 100 examples
        a.add(u("d2", 300, -1, 3));   // mean delta = (100*1 - 300*1)/400 = -0.5 ; (-100 + 900)/400 = 2

        AggregatedUpdate combined = a.result();
        ServerOptimizer step = fedAvg.optimizers().get();
        step.restore(new byte[0]);

        assertThat(combined.delta().tensors().get(0).data()).containsExactly(-0.5f, 2f);
        assertThat(combined.totalWeight()).isEqualTo(400);
        assertThat(combined.contributors()).isEqualTo(2);
        assertThat(step.step(p(10, 10), combined).tensors().get(0).data()).containsExactly(9.5f, 12f);
        assertThat(step.state()).isEmpty();
        assertThat(a.count()).isEqualTo(2);
    }

    @Test
    void weightedMean_countsContributorsBehindAGateway_andRefusesBadInput() {
        WeightedMean mean = new WeightedMean(p(0, 0));
        mean.add(new ClientUpdate("gw", 1, p(1, 1), 30, 3, 0));
        mean.add(u("d", 10, 3, 3));

        assertThat(mean.result().contributors()).isEqualTo(4);
        assertThat(mean.result().delta().tensors().get(0).data()).containsExactly(1.5f, 1.5f);
        assertThatThrownBy(() -> mean.add(u("bad", 0, 1, 1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> mean.add(u("shape", 1, 1, 1, 1))).isInstanceOf(InvalidInputException.class);
        assertThat(mean.count()).as("refused updates add nothing").isEqualTo(2);
        assertThatThrownBy(() -> new WeightedMean(p(0)).result()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void clientUpdate_refusesNonFiniteValuesAndBadWeights_soNoAggregatorSeesThem() {
        assertThatThrownBy(() -> u("nan", 1, 0, Float.NaN)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("non-finite").hasMessageContaining("index 1");
        assertThatThrownBy(() -> u("inf", 1, Float.NEGATIVE_INFINITY)).isInstanceOf(InvalidInputException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> u("zero", 0, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("weight");
        assertThatThrownBy(() -> u("inf-weight", Double.POSITIVE_INFINITY, 1)).hasMessageContaining("weight");
        assertThatThrownBy(() -> new ClientUpdate("gw", 1, p(1), 3, 0, 0)).hasMessageContaining("contributors");
        assertThatThrownBy(() -> new ClientUpdate("d", 1, p(1), 3, 1, -1)).hasMessageContaining("staleness");
        assertThat(u("ok", 2, 1, -1).weight()).isEqualTo(2);
    }

    @Test
    void serverSgd_scalesTheStep_andRefusesStateItDoesNotKeep() {
        ServerSgd half = new ServerSgd(0.5f);

        assertThat(half.step(p(1, 1), new AggregatedUpdate(p(2, -2), 1, 1)).tensors().get(0).data()).containsExactly(2f, 0f);
        assertThatThrownBy(() -> half.restore(new byte[] {1})).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ServerSgd(0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ServerSgd(Float.NaN)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void uniformSelection_sameSeedSameDevices_andNeverMoreThanAvailable() {
        List<String> available = List.of("a", "b", "c", "d", "e", "f");

        List<String> first = fedAvg.selector().select(1, available, 3, new Random(42));
        List<String> again = fedAvg.selector().select(1, available, 3, new Random(42));

        assertThat(first).hasSize(3).isEqualTo(again).isSubsetOf(available).doesNotHaveDuplicates().isSorted();
        assertThat(fedAvg.selector().select(1, List.of("x"), 3, new Random(0))).containsExactly("x");
        assertThat(fedAvg.selector().select(1, List.of(), 3, new Random(0))).isEmpty();
    }

    @Test
    void trainingPlan_refusesUnknownCodecsAndBadTerms() {
        assertThatThrownBy(() -> new TrainingPlan(PLAN.training(), "zip", 0, 0, false)).hasMessageContaining("zip");
        assertThatThrownBy(() -> new TrainingPlan(PLAN.training(), "fp32", -1, 0, false)).hasMessageContaining("proximal-mu");
        assertThatThrownBy(() -> new TrainingPlan(PLAN.training(), "fp32", 0, Float.POSITIVE_INFINITY, false))
                .hasMessageContaining("clip-norm");
        assertThat(fedAvg.configure(7)).isEqualTo(PLAN);
    }
}
