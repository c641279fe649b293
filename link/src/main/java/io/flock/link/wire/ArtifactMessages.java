package io.flock.link.wire;

import io.flock.core.InvalidInputException;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.ArtifactRejectedException;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.tensor.ModelParameters;
import io.flock.proto.v1.ModelAnnouncement;

/**
 * The one mapping from an announced artifact (a flock.v1 {@link ModelAnnouncement}) to what is signed and what is
 * loaded, for every edge that receives one: the agent's updater (pushes, teachers) and {@code bin/flock export}.
 */
public final class ArtifactMessages {
    private ArtifactMessages() {
    }

    /**
     * @return the manifest the announcement's signature covers
     * @throws InvalidInputException for fields that cannot form a manifest
     */
    public static ArtifactManifest manifest(ModelAnnouncement a) {
        return new ArtifactManifest(a.getModel(), a.getVersion(), a.getSpec(), a.getCodec().getName(), a.getFeaturePipeline(),
                a.getSha256(), a.getSizeBytes());
    }

    /**
     * Decodes checked artifact bytes through the compression pipeline the manifest names.
     *
     * @throws ArtifactRejectedException when they do not decode
     */
    public static ModelParameters decode(ModelAnnouncement a, byte[] bytes) {
        try {
            return CompressionPipeline.parse(a.getCodec().getName()).codec().decode(bytes);
        } catch (InvalidInputException e) {
            throw new ArtifactRejectedException("artifact " + a.getModel() + " v" + a.getVersion() + " does not decode: " + e.getMessage());
        }
    }
}
