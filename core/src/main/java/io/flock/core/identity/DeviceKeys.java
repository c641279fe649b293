package io.flock.core.identity;

import io.flock.core.artifact.KeyFiles;
import io.flock.core.link.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A device's own key pair (EC P-256), generated on the device and never sent anywhere: only a PKCS#10 certification
 * request, signed with it, goes to the coordinator at enrollment. Stored owner-only ({@link KeyFiles}); a key file
 * readable by others is refused. Immutable.
 */
public final class DeviceKeys {
    private static final String PRIVATE_FILE = "device-key.pk8";
    private static final String PUBLIC_FILE = "device-key.pub";
    private final KeyPair pair;

    private DeviceKeys(KeyPair pair) {
        this.pair = pair;
    }

    /** @return a new key pair, kept in memory only */
    public static DeviceKeys generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return new DeviceKeys(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate EC P-256 keys", e);
        }
    }

    /**
     * @param dir the device's key directory (created 700 when missing)
     * @return the key pair stored there, or a new one stored there owner-only
     * @throws io.flock.core.config.ConfigException when the private key file is open to group or others
     */
    public static DeviceKeys loadOrCreate(Path dir) throws IOException {
        Path priv = dir.resolve(PRIVATE_FILE);
        Path pub = dir.resolve(PUBLIC_FILE);
        if (Files.exists(priv) && Files.exists(pub)) {
            KeyFiles.requireOwnerOnly(priv);
            try {
                KeyFactory f = KeyFactory.getInstance("EC");
                PrivateKey p = f.generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(Files.readString(priv).trim())));
                PublicKey q = f.generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(Files.readString(pub).trim())));
                return new DeviceKeys(new KeyPair(q, p));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IOException("device key in " + dir + " does not load: " + e.getMessage(), e);
            }
        }
        DeviceKeys keys = generate();
        KeyFiles.createDirectory(dir);
        KeyFiles.writePrivate(priv, Base64.getMimeEncoder().encodeToString(keys.pair.getPrivate().getEncoded()) + "\n");
        Files.writeString(pub, Base64.getMimeEncoder().encodeToString(keys.pair.getPublic().getEncoded()) + "\n");
        return keys;
    }

    /**
     * @return a DER PKCS#10 request for {@code deviceId} (subject CN), signed with this device's private key: proof that
     *         the requester holds the key the certificate will name
     */
    public byte[] certificationRequest(String deviceId) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + Topics.segment(deviceId)), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certification request with an EC key", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the public key a certificate for this device names */
    public PublicKey publicKey() {
        return pair.getPublic();
    }

    /** @return the private key, for the device's TLS client credentials; never serialise it anywhere but {@link #loadOrCreate} */
    public PrivateKey privateKey() {
        return pair.getPrivate();
    }
}
