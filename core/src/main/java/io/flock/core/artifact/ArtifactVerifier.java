package io.flock.core.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Checks an artifact before anything loads it: its bytes must hash to the manifest's SHA-256 and
 * the manifest must carry a valid Ed25519 signature from the coordinator's key. Thread-safe.
 */
public final class ArtifactVerifier {
    private final PublicKey coordinatorKey;

    /** @param x509PublicKey the coordinator's public key, X.509-encoded */
    public ArtifactVerifier(byte[] x509PublicKey) {
        try {
            this.coordinatorKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509PublicKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** @return a verifier for the base64 public key file written by {@link Ed25519Signer} */
    public static ArtifactVerifier fromFile(Path publicKeyFile) throws IOException {
        return new ArtifactVerifier(Base64.getDecoder().decode(Files.readString(publicKeyFile).trim()));
    }

    /**
     * @throws ArtifactRejectedException naming the version and the reason when the digest, size or
     *                                   signature is wrong or the signature is missing
     */
    public void verify(ArtifactManifest manifest, byte[] signature, byte[] bytes) {
        String what = manifest.model() + " v" + manifest.version();
        if (signature == null || signature.length == 0) {
            throw new ArtifactRejectedException("artifact " + what + " is unsigned");
        }
        if (bytes.length != manifest.sizeBytes()) {
            throw new ArtifactRejectedException("artifact " + what + " has " + bytes.length + " bytes, announced "
                    + manifest.sizeBytes());
        }
        String actual = Digests.sha256Hex(bytes);
        if (!actual.equals(manifest.sha256())) {
            throw new ArtifactRejectedException("artifact " + what + " has SHA-256 " + actual + ", announced " + manifest.sha256());
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(coordinatorKey);
            s.update(manifest.signedBytes());
            if (!s.verify(signature)) {
                throw new ArtifactRejectedException("artifact " + what + " signature does not verify");
            }
        } catch (java.security.SignatureException e) {
            throw new ArtifactRejectedException("artifact " + what + " signature is malformed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification unavailable", e);
        }
    }
}
