package io.flock.coordinator.strategy;

import io.flock.core.config.ConfigException;
import io.flock.core.tensor.ModelParameters;
import java.util.List;

/**
 * Which rule combines a round's updates, and its settings: the {@code strategy.aggregator},
 * {@code strategy.trim-beta}, {@code strategy.krum-f}, {@code strategy.krum-m}, {@code strategy.update-norm-bound}
 * and {@code strategy.buffer-budget} keys. Every error names its key. Immutable.
 *
 * @param rule         mean (weighted, streaming: FedAvg's), median, trimmed-mean, krum or multi-krum
 * @param trimBeta     trimmed-mean: share trimmed from each end, in [0, 0.5)
 * @param krumF        krum, multi-krum: updates that may be arbitrary, >= 0
 * @param krumM        multi-krum: updates averaged, 0 = K - f of each round; krum averages 1 (0 or 1 here)
 * @param normBound    L2 norm each update is scaled down to before the rule ({@link NormBound}), 0 = off
 * @param bufferBudget bytes of a round's updates the buffering rules keep on the heap before they spill to a
 *                     temporary file, >= 0
 */
public record AggregatorSpec(String rule, double trimBeta, int krumF, int krumM, float normBound, long bufferBudget) {
    /** Known rules. */
    public static final List<String> RULES = List.of("mean", "median", "trimmed-mean", "krum", "multi-krum");
    /** The default spill threshold: 256 MiB, about 330 updates of the 199,210-parameter MLP. */
    public static final long DEFAULT_BUFFER_BUDGET = 256L << 20;

    /** Validates each setting, naming its key. */
    public AggregatorSpec {
        ConfigException.require(RULES.contains(rule), "strategy.aggregator", rule + " (known: " + String.join(", ", RULES) + ")");
        ConfigException.require(trimBeta >= 0 && trimBeta < 0.5, "strategy.trim-beta", trimBeta + " (must be in [0, 0.5))");
        ConfigException.require(krumF >= 0, "strategy.krum-f", krumF + " (must be >= 0)");
        ConfigException.require(krumM >= 0, "strategy.krum-m", krumM + " (must be >= 1, or 0 for K - f)");
        ConfigException.require(!rule.equals("krum") || krumM <= 1, "strategy.krum-m",
                krumM + " (krum averages one update; use strategy.aggregator=multi-krum to average more)");
        ConfigException.require(normBound >= 0 && Float.isFinite(normBound), "strategy.update-norm-bound", normBound + " (0 = off, else > 0)");
        ConfigException.require(bufferBudget >= 0, "strategy.buffer-budget", bufferBudget);
    }

    /** @return FedAvg's streaming weighted mean, nothing else */
    public static AggregatorSpec mean() {
        return new AggregatorSpec("mean", 0.2, 0, 0, 0, DEFAULT_BUFFER_BUDGET);
    }

    /** @return a new aggregator for one round over the given layout */
    public Aggregator create(ModelParameters layout) {
        Aggregator a = switch (rule) {
            case "median" -> new CoordinateMedian(layout, bufferBudget);
            case "trimmed-mean" -> new TrimmedMean(layout, trimBeta, bufferBudget);
            case "krum" -> new Krum(layout, krumF, 1, bufferBudget);
            case "multi-krum" -> new Krum(layout, krumF, krumM, bufferBudget);
            default -> new WeightedMean(layout);
        };
        return normBound > 0 ? new NormBound(a, normBound) : a;
    }

    /** @return the fewest updates a round needs for this rule to give a result (as its aggregator's) */
    public int minimumUpdates() {
        return switch (rule) {
            case "trimmed-mean" -> TrimmedMean.minimumUpdates(trimBeta);
            case "krum" -> Krum.minimumUpdates(krumF, 1);
            case "multi-krum" -> Krum.minimumUpdates(krumF, krumM);
            default -> 1;
        };
    }

    /** @return whether the rule must see each device's own update (anything but the plain mean) */
    public boolean needsEachUpdate() {
        return !rule.equals("mean") || normBound > 0;
    }

    /**
     * Checks the rule against the round size.
     *
     * @param devices round.devices, the most updates a round can have
     * @throws ConfigException naming the key when no round of that size could satisfy the rule
     */
    public void requireFits(int devices) {
        if (rule.equals("krum") || rule.equals("multi-krum")) {
            ConfigException.require(2 * krumF + 2 < devices, "strategy.krum-f", krumF + " (Krum needs 2f + 2 < round.devices, and round.devices="
                    + devices + ")");
            ConfigException.require(krumM <= devices - krumF, "strategy.krum-m", krumM + " (must be in 1..round.devices - strategy.krum-f = "
                    + (devices - krumF) + ", or 0)");
        }
        if (rule.equals("trimmed-mean")) {
            ConfigException.require(minimumUpdates() <= devices, "strategy.trim-beta", trimBeta + " trims nothing from a round of round.devices="
                    + devices + " (floor(beta * K) is 0; it needs K >= " + minimumUpdates() + ")");
        }
    }

    /** @return the rule and its settings, e.g. "krum(f=2)", "median+norm-bound(5.0)" */
    public String describe() {
        String r = switch (rule) {
            case "trimmed-mean" -> "trimmed-mean(beta=" + trimBeta + ")";
            case "krum" -> "krum(f=" + krumF + ")";
            case "multi-krum" -> "multi-krum(f=" + krumF + ", m=" + (krumM == 0 ? "K-f" : krumM) + ")";
            default -> rule;
        };
        return normBound > 0 ? r + "+norm-bound(" + normBound + ")" : r;
    }
}
