package io.flock.coordinator.round;

import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import java.time.Duration;

/**
 * The settings a round engine runs with.
 *
 * @param model           model name
 * @param spec            its network
 * @param pipeline        its feature pipeline
 * @param devicesPerRound devices sent a task per round
 * @param minResults      results that end a round before its deadline
 * @param minAvailable    devices that must be available before a round opens
 * @param roundTimeout    deadline per round
 * @param seed            seeds device selection (per round)
 */
public record RoundPlan(String model, ModelSpec spec, FeaturePipeline pipeline, int devicesPerRound, int minResults, int minAvailable,
                        Duration roundTimeout, long seed) {
}
