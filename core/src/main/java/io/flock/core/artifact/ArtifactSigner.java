package io.flock.core.artifact;

/** Signs artifact manifests. Implementations are thread-safe. */
public interface ArtifactSigner {
    /** @return the signature over {@link ArtifactManifest#signedBytes()} */
    byte[] sign(ArtifactManifest manifest);

    /**
     * @param domain what the message is ("flock.v1/task"): it is signed as {@code domain 0x00 message}, so a signature
     *               over one kind of message is never valid as another (nor as an artifact manifest, which starts
     *               "flock.v1/artifact\n")
     * @return the signature over the message, by the same key
     */
    byte[] signMessage(String domain, byte[] message);

    /** @return the X.509-encoded public key devices are configured with */
    byte[] publicKey();
}
