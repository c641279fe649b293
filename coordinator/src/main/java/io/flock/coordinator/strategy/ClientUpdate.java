package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;

/**
 * One decoded, validated update as an aggregator sees it.
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
}
