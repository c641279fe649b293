package io.flock.core.artifact;

/** Signs artifact manifests. Implementations are thread-safe. */
public interface ArtifactSigner {
    /** @return the signature over {@link ArtifactManifest#signedBytes()} */
    byte[] sign(ArtifactManifest manifest);

    /** @return the X.509-encoded public key devices are configured with */
    byte[] publicKey();
}
