package io.flock.core.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ed25519 signing with the JDK's provider. The key pair lives in a directory as
 * {@code signing-key.pk8} (private, base64 PKCS#8) and {@code signing-key.pub} (public, base64
 * X.509); {@link #loadOrCreate} creates it on first start and reuses it afterwards. On POSIX file
 * systems the private key is owner-only (file 600, a directory it creates 700), written atomically, and
 * a private key file that group or others may access is refused.
 */
public final class Ed25519Signer implements ArtifactSigner {
    private static final Logger log = LoggerFactory.getLogger(Ed25519Signer.class);
    /** File name of the public key inside the key directory. */
    public static final String PUBLIC_KEY_FILE = "signing-key.pub";
    private static final String PRIVATE_KEY_FILE = "signing-key.pk8";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private Ed25519Signer(KeyPair pair) {
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
    }

    /**
     * @return a signer with the key pair in {@code dir}, created there if absent
     * @throws io.flock.core.config.ConfigException when the private key file is open to group or others (the message
     *                                              names the file, its permissions and {@code chmod 600})
     */
    public static Ed25519Signer loadOrCreate(Path dir) throws IOException {
        Path priv = dir.resolve(PRIVATE_KEY_FILE);
        Path pub = dir.resolve(PUBLIC_KEY_FILE);
        try {
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            if (Files.exists(priv) && Files.exists(pub)) {
                KeyFiles.requireOwnerOnly(priv);
                PrivateKey p = kf.generatePrivate(new PKCS8EncodedKeySpec(decode(priv)));
                PublicKey q = kf.generatePublic(new X509EncodedKeySpec(decode(pub)));
                return new Ed25519Signer(new KeyPair(q, p));
            }
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            KeyFiles.createDirectory(dir);
            KeyFiles.writePrivate(priv, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n");
            Files.writeString(pub, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n");
            log.info("created signing key pair in {}", dir);
            return new Ed25519Signer(pair);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the Ed25519 key pair in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** @return a signer with a fresh in-memory key pair (tests, throwaway demos) */
    public static Ed25519Signer ephemeral() {
        try {
            return new Ed25519Signer(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    @Override
    public byte[] sign(ArtifactManifest manifest) {
        return signBytes(manifest.signedBytes());
    }

    @Override
    public byte[] signMessage(String domain, byte[] message) {
        return signBytes(ArtifactVerifier.framed(domain, message));
    }

    private byte[] signBytes(byte[] bytes) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(bytes);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public byte[] publicKey() {
        return publicKey.getEncoded();
    }

    private static byte[] decode(Path file) throws IOException {
        return Base64.getDecoder().decode(Files.readString(file).trim());
    }
}
