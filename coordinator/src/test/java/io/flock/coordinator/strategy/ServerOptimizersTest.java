package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ServerOptimizersTest {
    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static AggregatedUpdate delta(float... v) {
        return new AggregatedUpdate(p(v), 1, 1);
    }

    private static float[] values(ModelParameters p) {
        return p.tensors().get(0).data();
    }

    @Test
    void adam_oneStep_matchesTheWorkedExample() {
        // lr 1, beta1 0.5, beta2 0.75, tau 2; fresh state m = 0, v = tau^2 = 4; delta (2, -2, 0)
        // m = 0.5 * 0 + 0.5 * delta               = (1, -1, 0)
        // v = 0.75 * 4 + 0.25 * delta^2 = 3 + (1, 1, 0) = (4, 4, 3)
        // x = x + 1 * m / (sqrt(v) + 2)           = (1 + 1/4, 1 - 1/4, 1 + 0/(sqrt 3 + 2)) = (1.25, 0.75, 1)
        ServerAdam adam = new ServerAdam(1f, 0.5f, 0.75f, 2f);
        adam.restore(new byte[0]);

        ModelParameters next = adam.step(p(1, 1, 1), delta(2, -2, 0));

        assertThat(values(next)).containsExactly(1.25f, 0.75f, 1f);
    }

    @Test
    void yogi_twoSteps_matchTheWorkedExample_andDifferFromAdam() {
        // lr 1, beta1 0.5, beta2 0.5, tau 1; fresh m = 0, v = tau^2 = 1; step 1 delta (4, -4, 0)
        // m = 0.5 * delta = (2, -2, 0)
        // v = v - 0.5 * delta^2 * sign(v - delta^2): 1 - 0.5 * 16 * sign(1 - 16) = 1 + 8 = 9 for +-4; 1 - 0 = 1 for 0
        //     (Adam would give 0.5 * 1 + 0.5 * 16 = 8.5)
        // x = 0 + m / (sqrt(v) + 1) = (2/4, -2/4, 0) = (0.5, -0.5, 0)
        ServerYogi yogi = new ServerYogi(1f, 0.5f, 0.5f, 1f);
        ModelParameters x1 = yogi.step(p(0, 0, 0), delta(4, -4, 0));
        assertThat(values(x1)).containsExactly(0.5f, -0.5f, 0f);

        // step 2, delta (2, 2, 0): m = 0.5 * (2, -2, 0) + 0.5 * (2, 2, 0) = (2, 0, 0)
        // v = 9 - 0.5 * 4 * sign(9 - 4) = 7 for the first two, 1 for the last
        // x = (0.5 + 2 / (sqrt 7 + 1), -0.5 + 0, 0) = (0.5 + 2 / 3.6457513, -0.5, 0) = (1.0485837, -0.5, 0)
        ModelParameters x2 = yogi.step(x1, delta(2, 2, 0));
        assertThat(values(x2)[0]).isCloseTo(1.0485837f, within(1e-6f));
        assertThat(values(x2)[1]).isEqualTo(-0.5f);
        assertThat(values(x2)[2]).isZero();
    }

    @Test
    void adagrad_oneStep_matchesTheWorkedExample() {
        // lr 1, beta1 0 (m = delta), tau 3; fresh v = 9; delta (4, -4, 0)
        // v = 9 + delta^2 = (25, 25, 9); x = 0 + delta / (sqrt(v) + 3) = (4/8, -4/8, 0) = (0.5, -0.5, 0)
        ServerAdagrad adagrad = new ServerAdagrad(1f, 0f, 3f);

        assertThat(values(adagrad.step(p(0, 0, 0), delta(4, -4, 0)))).containsExactly(0.5f, -0.5f, 0f);
    }

    @Test
    void momentum_accumulatesVelocity() {
        // lr 0.5, beta 0.5: v = 2, x = 1; v = 1 + 2 = 3, x = 1 + 1.5 = 2.5; v = 1.5 - 6 = -4.5, x = 2.5 - 2.25 = 0.25
        ServerMomentum fedAvgM = new ServerMomentum(0.5f, 0.5f);
        ModelParameters x = p(0);
        x = fedAvgM.step(x, delta(2));
        assertThat(values(x)).containsExactly(1f);
        x = fedAvgM.step(x, delta(2));
        assertThat(values(x)).containsExactly(2.5f);
        x = fedAvgM.step(x, delta(-6));
        assertThat(values(x)).containsExactly(0.25f);
    }

    @Test
    void momentumZero_isServerSgd() {
        ModelParameters x = p(1, 2);
        assertThat(values(new ServerMomentum(0.7f, 0f).step(x, delta(3, -1)))).containsExactly(values(new ServerSgd(0.7f).step(x, delta(3, -1))));
    }

    private static ModelParameters random(Random r, float scale) {
        List<Tensor> ts = new ArrayList<>();
        for (int[] shape : new int[][] {{7, 11}, {11}}) {
            float[] v = new float[shape.length == 2 ? shape[0] * shape[1] : shape[0]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian() * scale;
            }
            ts.add(new Tensor(shape.length == 2 ? "w" : "b", shape, v));
        }
        return new ModelParameters(ts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"momentum", "adam", "yogi", "adagrad"})
    void stateRestoredMidway_continuesTheTrajectoryBitForBit(String kind) {
        OptimizerSpec spec = OptimizerSpec.of(kind, Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
        Random r = new Random(7);
        ModelParameters start = random(r, 1f);
        List<AggregatedUpdate> deltas = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            deltas.add(new AggregatedUpdate(random(r, 0.1f), 1, 1));
        }
        ServerOptimizer uninterrupted = spec.create();
        uninterrupted.restore(new byte[0]);
        ModelParameters a = start;
        for (AggregatedUpdate d : deltas) {
            a = uninterrupted.step(a, d);
        }

        ServerOptimizer before = spec.create();
        ModelParameters b = start;
        for (AggregatedUpdate d : deltas.subList(0, 5)) {
            b = before.step(b, d);
        }
        byte[] saved = before.state();
        ServerOptimizer after = spec.create();
        after.restore(saved);
        for (AggregatedUpdate d : deltas.subList(5, 10)) {
            b = after.step(b, d);
        }

        assertThat(saved).isNotEmpty();
        for (int t = 0; t < a.tensors().size(); t++) {
            assertThat(b.tensors().get(t).data()).containsExactly(a.tensors().get(t).data());
        }
        assertThat(after.state()).isEqualTo(uninterrupted.state());
    }

    @Test
    void restore_anotherOptimizersState_startsFresh_garbageIsRefused() {
        ServerAdam adam = new ServerAdam(0.1f, 0.9f, 0.99f, 1e-3f);
        adam.step(p(1, 1), delta(1, 1));
        byte[] adamState = adam.state();
        ServerMomentum fresh = new ServerMomentum(1f, 0.9f);
        ServerMomentum switched = new ServerMomentum(1f, 0.9f);

        switched.restore(adamState);
        new ServerSgd(1f).restore(adamState);

        assertThat(values(switched.step(p(0, 0), delta(1, 2)))).containsExactly(values(fresh.step(p(0, 0), delta(1, 2))));
        assertThatThrownBy(() -> new ServerAdam(0.1f, 0.9f, 0.99f, 1e-3f).restore(new byte[] {1, 2, 3, 4, 5, 6}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not server optimizer state");
        byte[] truncated = java.util.Arrays.copyOf(adamState, adamState.length - 3);
        assertThatThrownBy(() -> new ServerAdam(0.1f, 0.9f, 0.99f, 1e-3f).restore(truncated)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ServerSgd(1f).restore(new byte[] {1})).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void step_stateOfAnotherLayout_isRefused() {
        ServerMomentum m = new ServerMomentum(1f, 0.9f);
        m.step(p(0, 0), delta(1, 1));
        ServerMomentum restored = new ServerMomentum(1f, 0.9f);
        restored.restore(m.state());

        assertThatThrownBy(() -> restored.step(p(0, 0, 0), delta(1, 1, 1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("momentum state does not fit the model");
    }

    @Test
    void constructors_refuseBadSettings() {
        assertThatThrownBy(() -> new ServerAdam(-0.1f, 0.9f, 0.99f, 1e-3f)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> new ServerAdam(0.1f, 1f, 0.99f, 1e-3f)).hasMessageContaining("beta1");
        assertThatThrownBy(() -> new ServerYogi(0.1f, 0.9f, -0.5f, 1e-3f)).hasMessageContaining("beta2");
        assertThatThrownBy(() -> new ServerAdagrad(0.1f, 0f, 0f)).hasMessageContaining("tau");
        assertThatThrownBy(() -> new ServerMomentum(0.1f, 1f)).hasMessageContaining("momentum");
    }

    @Test
    void yogi_hugeDeltas_neverGiveNaN() {
        ServerYogi yogi = new ServerYogi(0.01f, 0.9f, 0.99f, 1e-3f);
        ModelParameters x = p(0, 0);
        for (int i = 0; i < 3; i++) {
            x = yogi.step(x, delta(Float.MAX_VALUE, -Float.MAX_VALUE));
        }
        x.requireFinite();
    }
}
