package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;

/**
 * One decoded, validated update as an aggregator sees it. Construction checks it, once, so no aggregator has to:
 * a NaN or infinite value in the delta, a weight that is not finite and > 0, no contributors or a negative
 * staleness throw {@link InvalidInputException}. Every update reaches an aggregator as one of these, so a
 * non-finite update is refused at intake, before any aggregator sees it.
 *
 * @param deviceId     sender (a gateway for a pre-aggregated update)
 * @param baseVersion  the version it was trained from
 * @param delta        trained parameters minus the base parameters
 * @param weight       its weight (training examples), finite and > 0
 * @param contributors devices behind it: 1, or more for a gateway's pre-aggregated update
 * @param staleness    versions published since its base version: 0 in a synchronous round
 */
public record ClientUpdate(String deviceId, long baseVersion, ModelParameters delta, double weight, int contributors,
                           long staleness) {
    /** @throws InvalidInputException naming what is wrong: a non-finite value (tensor and index), weight, contributors, staleness */
    public ClientUpdate {
        if (!(weight > 0) || !Double.isFinite(weight)) {
            throw new InvalidInputException("weight must be finite and > 0, got " + weight);
        }
        if (contributors < 1 || staleness < 0) {
            throw new InvalidInputException("contributors must be >= 1 and staleness >= 0, got " + contributors + " and " + staleness);
        }
        delta.requireFinite();
    }
}
