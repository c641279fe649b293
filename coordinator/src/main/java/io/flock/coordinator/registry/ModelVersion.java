package io.flock.coordinator.registry;

import io.flock.core.artifact.ArtifactManifest;

/**
 * One stored, signed version of a model.
 *
 * @param manifest     identity and artifact address (what the signature covers)
 * @param signature    Ed25519 signature over the manifest
 * @param paramsSha256 address of the exact fp32 global parameters behind the (possibly lossy) artifact
 * @param createdMs    creation time, Unix ms
 * @param accuracy     held-out accuracy, NaN when not evaluated
 * @param loss         held-out loss, NaN when not evaluated
 */
public record ModelVersion(ArtifactManifest manifest, byte[] signature, String paramsSha256, long createdMs,
                           double accuracy, double loss) {
    /** @return model name */
    public String model() {
        return manifest.model();
    }

    /** @return version number, from 1 */
    public long version() {
        return manifest.version();
    }
}
