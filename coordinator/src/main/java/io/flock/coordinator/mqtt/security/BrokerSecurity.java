package io.flock.coordinator.mqtt.security;

import io.flock.core.artifact.KeyFiles;
import io.flock.core.identity.TlsCredentials;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;

/**
 * What the embedded broker needs to run secured: its TLS identity (the coordinator's credentials, whose certificate
 * is the server certificate and whose authority is the only CA trusted for client certificates) and the device
 * records it admits clients by. Immutable.
 *
 * @param credentials the coordinator's TLS credentials, issued by the Flock CA
 * @param directory   the enrolled devices
 */
public record BrokerSecurity(TlsCredentials credentials, DeviceDirectory directory) {
    private static final String KEYSTORE = "broker-keystore.jks";
    private static final String TRUSTSTORE = "broker-truststore.jks";

    public BrokerSecurity {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * Writes the broker's key store (the coordinator's key and certificate chain) and trust store (the Flock CA only)
     * into {@code dir}, created 700, each file owner-only and under a new random password, and returns the HiveMQ
     * {@code <tls-tcp-listener>} element that uses them: TLS 1.2 or 1.3 on 127.0.0.1:{@code port}, client certificates
     * required. The element holds the password: write it to an owner-only file.
     */
    public String writeTlsListener(Path dir, int port) throws IOException {
        KeyFiles.createDirectory(dir);
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret); // XML-safe characters only
        Path keystore = dir.resolve(KEYSTORE);
        Path truststore = dir.resolve(TRUSTSTORE);
        try {
            KeyStore keys = KeyStore.getInstance("JKS");
            keys.load(null, null);
            keys.setKeyEntry("flock-broker", credentials.key(), password.toCharArray(),
                    new X509Certificate[] {credentials.certificate(), credentials.authority()});
            store(keys, keystore, password);
            KeyStore trust = KeyStore.getInstance("JKS");
            trust.load(null, null);
            trust.setCertificateEntry("flock-ca", credentials.authority());
            store(trust, truststore, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the broker's TLS key stores", e);
        }
        return """
                <tls-tcp-listener>
                  <port>%d</port><bind-address>127.0.0.1</bind-address>
                  <tls>
                    <keystore><path>%s</path><password>%s</password><private-key-password>%s</private-key-password></keystore>
                    <truststore><path>%s</path><password>%s</password></truststore>
                    <client-authentication-mode>REQUIRED</client-authentication-mode>
                    <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>
                  </tls>
                </tls-tcp-listener>
                """.formatted(port, xml(keystore), password, password, xml(truststore), password);
    }

    private static void store(KeyStore store, Path file, String password) throws IOException, GeneralSecurityException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        Path tmp = posix
                ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                store.store(out, password.toCharArray());
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String xml(Path path) {
        return path.toAbsolutePath().toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
