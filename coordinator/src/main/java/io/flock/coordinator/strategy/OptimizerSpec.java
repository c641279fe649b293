package io.flock.coordinator.strategy;

import io.flock.core.config.ConfigException;
import java.util.List;
import java.util.Map;

/**
 * Which server optimizer moves the global model, and its settings: the {@code strategy.optimizer},
 * {@code strategy.server-learning-rate}, {@code strategy.momentum}, {@code strategy.beta1}, {@code strategy.beta2}
 * and {@code strategy.tau} keys. A setting the optimizer does not use is NaN. Every error names its key. Immutable.
 *
 * <p>Defaults ({@link #of}), from Flower's FedAvgM, FedAdam, FedYogi and FedAdagrad and Reddi et al. 2021:
 * <pre>
 *   sgd      lr 1.0
 *   momentum lr 1.0,  momentum 0.9 (Hsu et al. 2019; Flower's 0.0 would make it FedAvg)
 *   adam     lr 0.1,  beta1 0.9, beta2 0.99, tau 1e-9
 *   yogi     lr 0.01, beta1 0.9, beta2 0.99, tau 1e-3
 *   adagrad  lr 0.1,  beta1 0.0,             tau 1e-9
 * </pre>
 *
 * @param kind         sgd, momentum, adam, yogi or adagrad
 * @param learningRate server learning rate, finite and > 0
 * @param momentum     momentum: beta in [0, 1); NaN for the others
 * @param beta1        adam, yogi, adagrad: first-moment decay in [0, 1); NaN for the others
 * @param beta2        adam, yogi: second-moment decay in [0, 1); NaN for the others
 * @param tau          adam, yogi, adagrad: adaptivity, finite and > 0; NaN for the others
 */
public record OptimizerSpec(String kind, float learningRate, float momentum, float beta1, float beta2, float tau) {
    /** Known optimizers. */
    public static final List<String> KINDS = List.of("sgd", "momentum", "adam", "yogi", "adagrad");
    /** Strategy names (strategy.name) and the optimizer each presets, in order. */
    public static final Map<String, String> PRESETS = Map.of("fedavg", "sgd", "fedavgm", "momentum", "fedadam", "adam", "fedyogi", "yogi",
            "fedadagrad", "adagrad");
    /** Strategy names in order. */
    public static final List<String> STRATEGY_NAMES = List.of("fedavg", "fedavgm", "fedadam", "fedyogi", "fedadagrad");

    /** Validates the settings the optimizer uses, and that it is given no other, naming the key. */
    public OptimizerSpec {
        ConfigException.require(KINDS.contains(kind), "strategy.optimizer", kind + " (known: " + String.join(", ", KINDS) + ")");
        ConfigException.require(learningRate > 0 && Float.isFinite(learningRate), "strategy.server-learning-rate",
                learningRate + " (must be finite and > 0)");
        check(kind, "strategy.momentum", momentum, kind.equals("momentum"), true);
        check(kind, "strategy.beta1", beta1, kind.equals("adam") || kind.equals("yogi") || kind.equals("adagrad"), true);
        check(kind, "strategy.beta2", beta2, kind.equals("adam") || kind.equals("yogi"), true);
        check(kind, "strategy.tau", tau, kind.equals("adam") || kind.equals("yogi") || kind.equals("adagrad"), false);
    }

    private static void check(String kind, String key, float value, boolean used, boolean unit) {
        if (!used) {
            ConfigException.require(Float.isNaN(value), key, value + " (strategy.optimizer=" + kind + " has no such setting)");
        } else if (unit) {
            ConfigException.require(value >= 0 && value < 1, key, value + " (must be in [0, 1))");
        } else {
            ConfigException.require(value > 0 && Float.isFinite(value), key, value + " (must be finite and > 0)");
        }
    }

    /**
     * @param strategyName a strategy.name
     * @return the optimizer it presets
     * @throws ConfigException naming strategy.name when it is unknown
     */
    public static String preset(String strategyName) {
        ConfigException.require(PRESETS.containsKey(strategyName), "strategy.name", strategyName + " (known: " + String.join(", ", STRATEGY_NAMES)
                + ")");
        return PRESETS.get(strategyName);
    }

    /** @return the strategy name that presets {@code kind}, e.g. fedadam for adam */
    public static String presetOf(String kind) {
        return STRATEGY_NAMES.stream().filter(n -> PRESETS.get(n).equals(kind)).findFirst().orElseThrow();
    }

    /**
     * @param kind the optimizer
     * @return its settings with each NaN argument replaced by the kind's default (NaN stays NaN for a setting the
     *         kind does not use, so setting it is an error)
     */
    public static OptimizerSpec of(String kind, float learningRate, float momentum, float beta1, float beta2, float tau) {
        float[] d = switch (kind) {
            case "momentum" -> new float[] {1f, 0.9f, Float.NaN, Float.NaN, Float.NaN};
            case "adam" -> new float[] {0.1f, Float.NaN, 0.9f, 0.99f, 1e-9f};
            case "yogi" -> new float[] {0.01f, Float.NaN, 0.9f, 0.99f, 1e-3f};
            case "adagrad" -> new float[] {0.1f, Float.NaN, 0f, Float.NaN, 1e-9f};
            default -> new float[] {1f, Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        };
        return new OptimizerSpec(kind, or(learningRate, d[0]), or(momentum, d[1]), or(beta1, d[2]), or(beta2, d[3]), or(tau, d[4]));
    }

    private static float or(float value, float fallback) {
        return Float.isNaN(value) ? fallback : value;
    }

    /** @return a fresh optimizer (the round restores its state from the base version) */
    public ServerOptimizer create() {
        return switch (kind) {
            case "momentum" -> new ServerMomentum(learningRate, momentum);
            case "adam" -> new ServerAdam(learningRate, beta1, beta2, tau);
            case "yogi" -> new ServerYogi(learningRate, beta1, beta2, tau);
            case "adagrad" -> new ServerAdagrad(learningRate, beta1, tau);
            default -> new ServerSgd(learningRate);
        };
    }

    /** @return the optimizer and the settings it uses, e.g. "adam(lr=0.1, beta1=0.9, beta2=0.99, tau=1.0E-9)" */
    public String describe() {
        return switch (kind) {
            case "momentum" -> kind + "(lr=" + learningRate + ", momentum=" + momentum + ")";
            case "adam", "yogi" -> kind + "(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", tau=" + tau + ")";
            case "adagrad" -> kind + "(lr=" + learningRate + ", beta1=" + beta1 + ", tau=" + tau + ")";
            default -> kind + "(lr=" + learningRate + ")";
        };
    }
}
