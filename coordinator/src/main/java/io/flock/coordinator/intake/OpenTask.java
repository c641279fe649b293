package io.flock.coordinator.intake;

import io.flock.core.tensor.ModelParameters;

/**
 * A task an engine issued and still accepts an answer to.
 *
 * @param model       model name
 * @param round       round number (for an asynchronous engine: its window)
 * @param deviceId    the device it was sent to
 * @param baseVersion the version it trains from
 * @param base        that version's parameters: every update must have their layout
 */
public record OpenTask(String model, long round, String deviceId, long baseVersion, ModelParameters base) {
}
