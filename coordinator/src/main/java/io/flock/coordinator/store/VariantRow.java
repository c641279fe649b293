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
 * @param spec      the spec its manifest names when not the version's (a factorised variant's own); null = the version's
 */
public record VariantRow(String model, long version, String codec, String sha256, long sizeBytes, byte[] signature,
                         boolean pushed, String spec) {
    /** A variant of the version's own spec. */
    public VariantRow(String model, long version, String codec, String sha256, long sizeBytes, byte[] signature, boolean pushed) {
        this(model, version, codec, sha256, sizeBytes, signature, pushed, null);
    }
}
