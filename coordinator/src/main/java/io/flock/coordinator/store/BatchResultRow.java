package io.flock.coordinator.store;

/**
 * The precomputed predictions of one input set, as stored: one row each, encoded by the batch job.
 *
 * @param set           the input set's name (the key)
 * @param setSha256     the digest of the set's file they were computed from
 * @param model         the model that computed them
 * @param version       its version
 * @param deviceVersion the device model's production version they stand for
 * @param computedMs    when they were computed, Unix ms
 * @param rows          rows in {@code payload}
 * @param classes       probabilities per row
 * @param payload       the encoded rows; null in listings
 */
public record BatchResultRow(String set, String setSha256, String model, long version, long deviceVersion, long computedMs, int rows,
                             int classes, byte[] payload) {
}
