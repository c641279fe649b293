package io.flock.coordinator.registry;

import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.compress.CompressionPipeline;

/**
 * One signed artifact of a version: a codec or compression setting, with its own digest and signature.
 *
 * @param manifest  what the signature covers (its codec names the variant)
 * @param signature Ed25519 signature over the manifest
 * @param pushed    whether this is the variant devices are sent
 */
public record ArtifactVariant(ArtifactManifest manifest, byte[] signature, boolean pushed) {
    /** @return the codec name, which names the variant */
    public String codec() {
        return manifest.codec();
    }

    /** @return whether the variant was pruned, so a round trained from it keeps its zero weights at zero */
    public boolean pruned() {
        return CompressionPipeline.parse(codec()).prunes();
    }
}
