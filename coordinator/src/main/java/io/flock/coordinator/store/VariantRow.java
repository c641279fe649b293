package io.flock.coordinator.store;

/**
 * One signed artifact of a version.
 *
 * @param model     model name
 * @param version   version number
 * @param codec     codec (or compression) name; one variant per codec
 * @param sha256    address of the artifact bytes
 * @param sizeBytes artifact length
 * @param signature Ed25519 signature over its manifest
 * @param pushed    whether this is the variant devices are sent
 */
public record VariantRow(String model, long version, String codec, String sha256, long sizeBytes, byte[] signature,
                         boolean pushed) {
}
