package io.flock.coordinator.store;

/**
 * A stored model version, as the store keeps it (the registry's {@code ModelVersion} adds its variants).
 *
 * @param model          model name
 * @param version        number the database gave it, from 1
 * @param spec           network spec string
 * @param pipeline       feature pipeline string
 * @param stage          CANDIDATE, CANARY, PRODUCTION or ARCHIVED
 * @param paramsSha256   address of the exact fp32 global parameters
 * @param createdMs      creation time, Unix ms
 * @param accuracy       held-out accuracy, NaN when not scored
 * @param loss           held-out loss, NaN when not scored
 * @param round          the round that produced it, 0 when none
 * @param optimizerState the server optimizer's state after producing it; empty for a stateless optimizer
 */
public record VersionRow(String model, long version, String spec, String pipeline, String stage, String paramsSha256,
                         long createdMs, double accuracy, double loss, long round, byte[] optimizerState) {
}
