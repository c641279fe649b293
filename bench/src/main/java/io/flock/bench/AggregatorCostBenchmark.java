package io.flock.bench;

import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.Aggregator;
import io.flock.coordinator.strategy.AggregatorSpec;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.tensor.ModelParameters;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a robust rule costs a round against FedAvg's streaming mean: one operation is a whole round's aggregation,
 * K updates of the MLP added and the result taken, as the round engine does. Run with {@code -prof gc}: its
 * {@code gc.alloc.rate.norm} is the bytes a round allocates, K·P·4 for the rules that keep every update (the
 * buffer budget is above it here, so nothing spills). Krum tolerates f = 20 of 100 (20 % attackers, as W8).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AggregatorCostBenchmark {
    /** The aggregation rule: strategy.aggregator. */
    @Param({"mean", "median", "trimmed-mean", "krum", "multi-krum"})
    public String rule;

    /** Updates in the round. */
    @Param("100")
    public int updates;

    private List<ClientUpdate> round;
    private AggregatorSpec spec;
    private ModelParameters layout;

    /** Makes the round's updates. */
    @Setup
    public void setUp() {
        List<ModelParameters> deltas = MlpUpdates.of(updates, 25, 0.01f);
        round = new java.util.ArrayList<>(updates);
        for (int i = 0; i < updates; i++) {
            round.add(new ClientUpdate("device-" + i, 1, deltas.get(i), 600, 1, 0));
        }
        layout = deltas.get(0);
        int f = rule.endsWith("krum") ? updates / 5 : 0;
        spec = new AggregatorSpec(rule, 0.2, f, 0, 0, AggregatorSpec.DEFAULT_BUFFER_BUDGET);
    }

    /** @return one round's aggregate */
    @Benchmark
    public AggregatedUpdate aggregateRound() {
        Aggregator aggregator = spec.create(layout);
        for (ClientUpdate u : round) {
            aggregator.add(u);
        }
        return aggregator.result();
    }
}
