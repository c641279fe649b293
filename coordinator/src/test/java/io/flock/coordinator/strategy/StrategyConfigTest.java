package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strategy.* keys of the coordinator's configuration: presets, overrides, and each bad value naming its key. */
class StrategyConfigTest {
    private static final ModelParameters LAYOUT = new ModelParameters(List.of(new Tensor("w", new int[] {2}, new float[2])));

    private static StrategyConfig with(String... keyValues) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            flags.put(keyValues[i], keyValues[i + 1]);
        }
        return CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), flags)).strategy();
    }

    private static void refused(String key, String... keyValues) {
        assertThatThrownBy(() -> with(keyValues)).isInstanceOf(ConfigException.class).hasMessageContaining(key);
    }

    @Test
    void defaults_areFedAvg_weightedMeanAndServerSgdOfOne() {
        StrategyConfig s = with();

        assertThat(s.name()).isEqualTo("fedavg");
        assertThat(s.optimizer()).isEqualTo(new OptimizerSpec("sgd", 1f, Float.NaN, Float.NaN, Float.NaN, Float.NaN));
        assertThat(s.aggregator()).isEqualTo(AggregatorSpec.mean());
        assertThat(s.build().name()).isEqualTo("fedavg");
        assertThat(s.build().aggregators().apply(LAYOUT)).isInstanceOf(WeightedMean.class);
        assertThat(s.build().optimizers().get()).isInstanceOf(ServerSgd.class);
    }

    @Test
    void presets_setTheOptimizerWithFlowersDefaults() {
        assertThat(with("strategy.name", "fedavgm").optimizer()).isEqualTo(new OptimizerSpec("momentum", 1f, 0.9f, Float.NaN, Float.NaN, Float.NaN));
        assertThat(with("strategy.name", "fedadam").optimizer()).isEqualTo(new OptimizerSpec("adam", 0.1f, Float.NaN, 0.9f, 0.99f, 1e-9f));
        assertThat(with("strategy.name", "fedyogi").optimizer()).isEqualTo(new OptimizerSpec("yogi", 0.01f, Float.NaN, 0.9f, 0.99f, 1e-3f));
        assertThat(with("strategy.name", "fedadagrad").optimizer()).isEqualTo(new OptimizerSpec("adagrad", 0.1f, Float.NaN, 0f, Float.NaN, 1e-9f));
        assertThat(with("strategy.name", "fedyogi").build().optimizers().get()).isInstanceOf(ServerYogi.class);
        assertThat(with("strategy.name", "fedadam").build().name()).isEqualTo("fedadam");
    }

    @Test
    void explicitKeys_overrideThePreset() {
        StrategyConfig s = with("strategy.name", "fedadam", "strategy.server-learning-rate", "0.03", "strategy.tau", "0.001",
                "strategy.aggregator", "krum", "strategy.krum-f", "2", "strategy.update-norm-bound", "10", "strategy.buffer-budget", "1MiB");

        assertThat(s.optimizer()).isEqualTo(new OptimizerSpec("adam", 0.03f, Float.NaN, 0.9f, 0.99f, 1e-3f));
        assertThat(s.aggregator()).isEqualTo(new AggregatorSpec("krum", 0.2, 2, 0, 10f, 1L << 20));
        assertThat(s.build().name()).isEqualTo("krum(f=2)+norm-bound(10.0)+fedadam");
        assertThat(s.build().aggregators().apply(LAYOUT)).isInstanceOf(NormBound.class).hasToString("krum(f=2) with norm-bound 10.0");
        assertThat(with("strategy.optimizer", "momentum", "strategy.momentum", "0.5").build().name()).as("fedavg with server momentum")
                .isEqualTo("fedavgm");
        assertThat(with("strategy.aggregator", "multi-krum", "strategy.krum-f", "3", "strategy.krum-m", "7").aggregator().minimumUpdates())
                .isEqualTo(10);
        assertThat(with("strategy.aggregator", "trimmed-mean", "strategy.trim-beta", "0.1").build().aggregators().apply(LAYOUT))
                .isInstanceOf(TrimmedMean.class);
        assertThat(with("strategy.aggregator", "median").build().aggregators().apply(LAYOUT)).isInstanceOf(CoordinateMedian.class);
    }

    @Test
    void badValues_failAtStart_namingTheKey() {
        refused("strategy.trim-beta", "strategy.aggregator", "trimmed-mean", "strategy.trim-beta", "0.5");
        refused("strategy.trim-beta", "strategy.trim-beta", "-0.1");
        refused("strategy.trim-beta", "strategy.aggregator", "trimmed-mean", "strategy.trim-beta", "0.05"); // trims nothing from 10 devices
        refused("strategy.krum-f", "strategy.aggregator", "krum", "strategy.krum-f", "4");                  // 2f + 2 = 10 >= round.devices
        refused("strategy.krum-f", "strategy.aggregator", "multi-krum", "strategy.krum-f", "2", "round.devices", "6", "round.min-results", "6");
        refused("strategy.krum-f", "strategy.krum-f", "-1");
        refused("strategy.krum-m", "strategy.aggregator", "multi-krum", "strategy.krum-f", "3", "strategy.krum-m", "8"); // > 10 - 3
        refused("strategy.krum-m", "strategy.aggregator", "krum", "strategy.krum-m", "3");
        refused("strategy.server-learning-rate", "strategy.server-learning-rate", "-0.1");
        refused("strategy.server-learning-rate", "strategy.name", "fedadam", "strategy.server-learning-rate", "0");
        refused("strategy.beta1", "strategy.name", "fedadam", "strategy.beta1", "1");
        refused("strategy.beta2", "strategy.name", "fedyogi", "strategy.beta2", "-0.01");
        refused("strategy.momentum", "strategy.name", "fedavgm", "strategy.momentum", "1.5");
        refused("strategy.tau", "strategy.name", "fedadam", "strategy.tau", "0");
        refused("strategy.tau", "strategy.name", "fedadagrad", "strategy.tau", "-1e-3");
        refused("strategy.momentum", "strategy.name", "fedadam", "strategy.momentum", "0.9");       // adam has no momentum key
        refused("strategy.beta2", "strategy.name", "fedadagrad", "strategy.beta2", "0.99");
        refused("strategy.update-norm-bound", "strategy.update-norm-bound", "-1");
        refused("strategy.buffer-budget", "strategy.buffer-budget", "lots");
        refused("strategy.aggregator", "strategy.aggregator", "geometric-median");
        refused("strategy.aggregator", "strategy.aggregator", "median", "training.secure-aggregation", "true");
        refused("strategy.optimizer", "strategy.optimizer", "lamb");
        refused("strategy.name", "strategy.name", "fedmagic");
        assertThatThrownBy(() -> with("strategy.aggregator", "bulyan")).hasMessageContaining("mean, median, trimmed-mean, krum, multi-krum");
        assertThatThrownBy(() -> with("strategy.name", "fedprox")).hasMessageContaining("fedavg, fedavgm, fedadam, fedyogi, fedadagrad");
        assertThat(with("strategy.aggregator", "krum").aggregator().minimumUpdates()).as("f = 0 by default, as Flower's").isEqualTo(3);
    }
}
