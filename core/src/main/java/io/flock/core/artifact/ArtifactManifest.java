package io.flock.core.artifact;

import io.flock.core.InvalidInputException;
import java.nio.charset.StandardCharsets;

/**
 * What a signature vouches for: a model version's identity and the SHA-256 of its artifact bytes.
 *
 * @param model     model name
 * @param version   version, >= 1
 * @param spec      model spec string
 * @param codec     codec name of the artifact bytes
 * @param pipeline  feature pipeline string
 * @param sha256    lower-case hex SHA-256 of the artifact bytes
 * @param sizeBytes artifact length
 */
public record ArtifactManifest(String model, long version, String spec, String codec, String pipeline,
                               String sha256, long sizeBytes) {
    /** Validates the fields that addressing and signing rely on. */
    public ArtifactManifest {
        if (version < 1) {
            throw new InvalidInputException("artifact version must be >= 1, got " + version);
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new InvalidInputException("artifact sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        if (sizeBytes < 0) {
            throw new InvalidInputException("artifact size must be >= 0, got " + sizeBytes);
        }
    }

    /** @return the canonical bytes that are signed; any field change changes them */
    public byte[] signedBytes() {
        String s = String.join("\n", "flock.v1/artifact", model, Long.toString(version), spec, codec, pipeline,
                sha256, Long.toString(sizeBytes));
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
