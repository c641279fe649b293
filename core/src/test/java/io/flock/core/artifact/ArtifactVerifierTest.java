package io.flock.core.artifact;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactVerifierTest {
    @TempDir
    Path dir;
    private final byte[] bytes = {1, 2, 3, 4, 5};
    private final ArtifactManifest manifest = new ArtifactManifest("m", 3, "mlp:4-2", "int8", "scale:255",
            Digests.sha256Hex(bytes), bytes.length);

    @Test
    void verify_signedByCoordinatorKey_passes_andKeyPersistsAcrossLoads() throws Exception {
        Ed25519Signer signer = Ed25519Signer.loadOrCreate(dir);
        Ed25519Signer again = Ed25519Signer.loadOrCreate(dir);
        ArtifactVerifier verifier = ArtifactVerifier.fromFile(dir.resolve(Ed25519Signer.PUBLIC_KEY_FILE));

        assertThatCode(() -> verifier.verify(manifest, signer.sign(manifest), bytes)).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verify(manifest, again.sign(manifest), bytes)).doesNotThrowAnyException();
    }

    @Test
    void verify_tamperedBytesManifestOrSignature_isRejectedWithReason() {
        Ed25519Signer signer = Ed25519Signer.ephemeral();
        ArtifactVerifier verifier = new ArtifactVerifier(signer.publicKey());
        byte[] sig = signer.sign(manifest);
        byte[] tampered = bytes.clone();
        tampered[2] ^= 1;
        ArtifactManifest bumped = new ArtifactManifest("m", 4, "mlp:4-2", "int8", "scale:255", manifest.sha256(), bytes.length);
        byte[] badSig = sig.clone();
        badSig[0] ^= 1;

        assertThatThrownBy(() -> verifier.verify(manifest, sig, tampered)).isInstanceOf(ArtifactRejectedException.class)
                .hasMessageContaining("SHA-256");
        assertThatThrownBy(() -> verifier.verify(bumped, sig, bytes)).hasMessageContaining("signature does not verify");
        assertThatThrownBy(() -> verifier.verify(manifest, badSig, bytes)).hasMessageContaining("signature");
        assertThatThrownBy(() -> verifier.verify(manifest, new byte[0], bytes)).hasMessageContaining("unsigned");
        assertThatThrownBy(() -> new ArtifactVerifier(Ed25519Signer.ephemeral().publicKey()).verify(manifest, sig, bytes))
                .hasMessageContaining("signature does not verify");
        assertThatThrownBy(() -> verifier.verify(manifest, java.util.Arrays.copyOf(sig, 63), bytes))
                .isInstanceOf(ArtifactRejectedException.class).hasMessageContaining("malformed (63 bytes");
        assertThatThrownBy(() -> verifier.verify(manifest, java.util.Arrays.copyOf(sig, 65), bytes))
                .isInstanceOf(ArtifactRejectedException.class).hasMessageContaining("malformed (65 bytes");
    }

    @Test
    void verifier_refusesKeysThatAreNotEd25519() throws Exception {
        byte[] ec = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic().getEncoded();
        byte[] ed = Ed25519Signer.ephemeral().publicKey();

        assertThatThrownBy(() -> new ArtifactVerifier(ec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an Ed25519 public key");
        assertThatThrownBy(() -> new ArtifactVerifier(java.util.Arrays.copyOf(ed, 20))).isInstanceOf(IllegalArgumentException.class);
    }
}
