package io.flock.agent.offload;

import io.flock.core.model.Prediction;

/**
 * A prediction and where it came from.
 *
 * @param prediction     the answer
 * @param source         who answered
 * @param fallbackReason why the cloud's answer was not used ("" unless FALLBACK)
 * @param latencyMs      time to answer
 * @param predictionId   the id the app reports the true label with later, "" when the answer is not counted
 */
public record Answer(Prediction prediction, Source source, String fallbackReason, double latencyMs, String predictionId) {
    /** An answer without a prediction id. */
    public Answer(Prediction prediction, Source source, String fallbackReason, double latencyMs) {
        this(prediction, source, fallbackReason, latencyMs, "");
    }

    /** Who answered: the device's model, the coordinator, the device after the coordinator failed, or a batch job's precomputed answer. */
    public enum Source { LOCAL, OFFLOADED, FALLBACK, BATCH }
}
