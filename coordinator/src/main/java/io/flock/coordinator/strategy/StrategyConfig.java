package io.flock.coordinator.strategy;

import io.flock.coordinator.privacy.PrivacyConfig;
import io.flock.coordinator.secagg.SecAggConfig;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.link.Topics;
import io.flock.core.train.Distillation;
import io.flock.core.train.TrainingConfig;
import java.util.List;

/**
 * The federated strategy: a preset name, the aggregation rule, the server optimizer and the training plan (the
 * coordinator's {@code strategy.*}, {@code training.*}, {@code update.codec} and {@code distill.*} keys).
 *
 * @param name       strategy.name: a preset of the server optimizer (fedavg = sgd, fedavgm = momentum, fedadam,
 *                   fedyogi, fedadagrad); strategy.optimizer and the optimizer's keys override it
 * @param aggregator how a round's updates combine (strategy.aggregator and its keys)
 * @param optimizer  how the combination moves the model (strategy.optimizer and its keys)
 * @param plan       what devices are asked
 */
public record StrategyConfig(String name, AggregatorSpec aggregator, OptimizerSpec optimizer, TrainingPlan plan) {
    /** Known strategy names, each a preset of the server optimizer ({@link OptimizerSpec#PRESETS}). */
    public static final List<String> NAMES = OptimizerSpec.STRATEGY_NAMES;

    /** Validates the name, and that a rule that must see each update is not given masked ones. */
    public StrategyConfig {
        OptimizerSpec.preset(name);
        ConfigException.require(!plan.secure() || !aggregator.needsEachUpdate(), "strategy.aggregator", aggregator.describe()
                + " (it needs each device's own update, and training.secure-aggregation=true masks them)");
    }

    /**
     * @param s resolved coordinator settings
     * @return the strategy they name
     * @throws ConfigException naming the first bad key
     */
    public static StrategyConfig from(Settings s) {
        return new StrategyConfig(s.string("strategy.name"), new AggregatorSpec(s.string("strategy.aggregator"), s.decimal("strategy.trim-beta"),
                s.integer("strategy.krum-f"), s.integer("strategy.krum-m"), (float) s.decimal("strategy.update-norm-bound"),
                s.bytes("strategy.buffer-budget")), optimizer(s), new TrainingPlan(
                new TrainingConfig((float) s.decimal("training.learning-rate"), s.integer("training.batch-size"),
                        s.integer("training.local-epochs")), s.string("update.codec"), (float) s.decimal("training.proximal-mu"),
                (float) s.decimal("training.clip-norm"), s.bool("training.secure-aggregation"), teacher(s),
                PrivacyConfig.from(s).deviceNoise(), SecAggConfig.from(s)));
    }

    /** @throws ConfigException naming the key when no round of {@code devices} (round.devices) could satisfy the aggregator */
    public void requireFits(int devices) {
        aggregator.requireFits(devices);
    }

    /** @return the strategy these settings name, labelled e.g. "fedavg", "fedadam" or "krum(f=2)+fedavg" */
    public Strategy build() {
        String preset = OptimizerSpec.presetOf(optimizer.kind());
        String label = aggregator.needsEachUpdate() ? aggregator.describe() + "+" + preset : preset;
        return new Strategy(label, ClientSelector.UNIFORM, plan, aggregator::create, optimizer::create);
    }

    /** @return strategy.optimizer (empty = strategy.name's preset) with its keys; an empty key takes the optimizer's default */
    private static OptimizerSpec optimizer(Settings s) {
        String preset = OptimizerSpec.preset(s.string("strategy.name"));
        String kind = s.string("strategy.optimizer").isEmpty() ? preset : s.string("strategy.optimizer");
        return OptimizerSpec.of(kind, orNaN(s, "strategy.server-learning-rate"), orNaN(s, "strategy.momentum"), orNaN(s, "strategy.beta1"),
                orNaN(s, "strategy.beta2"), orNaN(s, "strategy.tau"));
    }

    private static float orNaN(Settings s, String key) {
        return s.string(key).isEmpty() ? Float.NaN : (float) s.decimal(key);
    }

    /** @return the distill.* keys as a plan's teacher, null when distill.teacher is empty */
    private static TrainingPlan.Teacher teacher(Settings s) {
        String model = s.string("distill.teacher");
        if (model.isEmpty()) {
            return null;
        }
        ConfigException.wrap("distill.teacher", () -> Topics.segment(model));
        return ConfigException.wrap("distill.temperature / distill.alpha", () -> new TrainingPlan.Teacher(model,
                new Distillation((float) s.decimal("distill.temperature"), (float) s.decimal("distill.alpha"))));
    }
}
