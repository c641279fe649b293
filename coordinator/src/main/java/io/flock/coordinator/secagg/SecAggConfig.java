package io.flock.coordinator.secagg;

import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.secagg.SecAggParams;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code secagg.*} keys: how a secure round (training.secure-aggregation=true) runs SecAgg+.
 *
 * @param neighbours   k, the devices each shares its secrets with; 0 = {@link SecAggParams#defaultNeighbours}
 *                     (always capped at the round's devices - 1)
 * @param threshold    t, the shares that reconstruct a secret; 0 = {@link SecAggParams#defaultThreshold} (floor(k/2)+1,
 *                     an honest majority of the neighbours); capped at k
 * @param clipRange    each coordinate of an update is clamped to [-clipRange, clipRange] before it enters the ring; with
 *                     differential privacy the clip norm C, which already bounds every coordinate, is used instead
 * @param maxExamples  the example count at which a device's weight stops growing (weights are examples / maxExamples,
 *                     at most 1, so the weighted sum stays in range); with differential privacy every weight is 1
 * @param stageTimeout how long each protocol stage after training waits for the devices that are still in
 */
public record SecAggConfig(int neighbours, int threshold, float clipRange, long maxExamples, Duration stageTimeout) {
    /** Validates the ranges, naming the key. */
    public SecAggConfig {
        ConfigException.require(neighbours >= 0, "secagg.neighbours", neighbours + " (0 = automatic)");
        ConfigException.require(threshold >= 0, "secagg.threshold", threshold + " (0 = automatic)");
        ConfigException.require(clipRange > 0 && Float.isFinite(clipRange), "secagg.clip-range", clipRange);
        ConfigException.require(maxExamples >= 1, "secagg.max-examples", maxExamples);
        ConfigException.require(stageTimeout.toMillis() >= 10, "secagg.stage-timeout", stageTimeout + " (at least 10ms)");
    }

    /** @return the defaults */
    public static SecAggConfig defaults() {
        return new SecAggConfig(0, 0, 1f, 10_000, Duration.ofSeconds(10));
    }

    /** Puts the keys' defaults. */
    public static void defaults(Map<String, String> d) {
        d.put("secagg.neighbours", "0");
        d.put("secagg.threshold", "0");
        d.put("secagg.clip-range", "1");
        d.put("secagg.max-examples", "10000");
        d.put("secagg.stage-timeout", "10s");
    }

    /** @throws ConfigException naming the first bad key */
    public static SecAggConfig from(Settings s) {
        return new SecAggConfig(s.integer("secagg.neighbours"), s.integer("secagg.threshold"), (float) s.decimal("secagg.clip-range"),
                Long.parseLong(s.string("secagg.max-examples")), s.duration("secagg.stage-timeout"));
    }

    /** @return k for a round of {@code participants} devices */
    public int neighboursFor(int participants) {
        int k = neighbours == 0 ? SecAggParams.defaultNeighbours(participants) : neighbours;
        return Math.max(1, Math.min(k, participants - 1));
    }

    /** @return t for a round of {@code participants} devices */
    public int thresholdFor(int participants) {
        int k = neighboursFor(participants);
        return threshold == 0 ? SecAggParams.defaultThreshold(k) : Math.min(threshold, k);
    }
}
