package io.flock.coordinator.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class FedBuffBufferTest {
    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static ClientUpdate update(String device, long base, float value, double examples, long staleness) {
        return new ClientUpdate(device, base, p(value, -value), examples, 1, staleness);
    }

    @Test
    void drain_oneUpdateFromOneBaseAndTenFromAnother_weighsEachUpdateNotEachBase() {
        // the bug this pins: averaging each base version's updates, then the bases, would give (1 + 0) / 2 = 0.5
        FedBuffBuffer buffer = new FedBuffBuffer(p(0, 0), 11, 10, StalenessWeight.polynomial(0)); // a = 0: staleness ignored
        buffer.add(update("lone", 1, 1f, 10, 1));
        for (int i = 0; i < 10; i++) {
            buffer.add(update("d" + i, 2, 0f, 10, 0));
        }

        AggregatedUpdate a = buffer.drain();

        assertThat(a.delta().tensors().get(0).data()[0]).as("10 x 1 / 110").isCloseTo(1f / 11, within(1e-6f));
        assertThat(a.totalWeight()).isEqualTo(110);
        assertThat(a.contributors()).isEqualTo(11);
    }

    @Test
    void drain_staleUpdates_discountedAbsolutelyBySqrtRule() {
        FedBuffBuffer buffer = new FedBuffBuffer(p(0, 0), 2, 10, StalenessWeight.sqrt());
        buffer.add(update("a", 1, 1f, 30, 4)); // weight 1 / (1 + 2) = 1/3
        buffer.add(update("b", 1, 1f, 10, 4));

        AggregatedUpdate a = buffer.drain();

        assertThat(a.delta().tensors().get(0).data()[0]).as("(30 + 10) x 1/3 x 1 / 40").isCloseTo(1f / 3, within(1e-6f));
    }

    @Test
    void add_K_updates_bufferIsFullThenDrainEmptiesIt() {
        FedBuffBuffer buffer = new FedBuffBuffer(p(0, 0), 3, 10, StalenessWeight.sqrt());
        buffer.add(update("a", 1, 1f, 1, 0));
        buffer.add(update("b", 1, 1f, 1, 0));
        assertThat(buffer.full()).isFalse();
        buffer.add(update("c", 1, 1f, 1, 0));
        assertThat(buffer.full()).isTrue();

        buffer.drain();

        assertThat(buffer.count()).isZero();
        assertThatThrownBy(buffer::drain).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void add_staleBeyondTheMaximum_refusedWithReasonAndNothingAdded() {
        FedBuffBuffer buffer = new FedBuffBuffer(p(0, 0), 2, 5, StalenessWeight.sqrt());
        buffer.add(update("a", 7, 0.5f, 1, 5));

        assertThatThrownBy(() -> buffer.add(update("late", 1, 100f, 1, 6))).isInstanceOf(RoundClosedException.class)
                .hasMessageContaining("6 versions ago").hasMessageContaining("async.max-staleness=5")
                .satisfies(e -> assertThat(((RoundClosedException) e).reason()).isEqualTo("too_stale"));

        assertThat(buffer.count()).isEqualTo(1);
        assertThat(buffer.drain().delta().tensors().get(0).data()[0]).isCloseTo(0.5f / (1 + (float) Math.sqrt(5)), within(1e-6f));
    }
}
