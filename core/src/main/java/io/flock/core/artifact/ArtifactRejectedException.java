package io.flock.core.artifact;

import io.flock.core.FlockException;

/** An artifact that must not be loaded: wrong digest, bad or missing signature, undecodable. */
public class ArtifactRejectedException extends FlockException {
    /** @param reason why, e.g. "signature does not verify for fmnist-mlp v3" */
    public ArtifactRejectedException(String reason) {
        super(reason);
    }
}
