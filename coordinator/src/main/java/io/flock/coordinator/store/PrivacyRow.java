package io.flock.coordinator.store;

/**
 * One noised round in a model's privacy ledger: what the accountant composed, and the ε it reached.
 *
 * @param model           model name
 * @param round           the round, from 1
 * @param version         the version it produced
 * @param samplingRate    q: devices asked / devices available (1 for local DP)
 * @param noiseMultiplier z
 * @param clipNorm        C
 * @param delta           the δ of {@code epsilon}
 * @param epsilon         ε spent after this round, over every noised round of the model so far
 * @param createdMs       when it was recorded, Unix ms
 */
public record PrivacyRow(String model, long round, long version, double samplingRate, double noiseMultiplier, double clipNorm,
                         double delta, double epsilon, long createdMs) {
}
