package io.flock.agent.security;

import io.flock.core.InvalidInputException;
import io.flock.core.artifact.KeyFiles;
import io.flock.core.config.ConfigException;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.Pem;
import io.flock.core.identity.TlsCredentials;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A device's identity on disk and in its TLS connections: its key (made here, never sent), the certificate the
 * coordinator's CA issued for it, and the CA certificate it trusts the coordinator and broker by. Files in its
 * directory: {@code device-key.pk8} (owner-only; wider is refused), {@code device-key.pub}, {@code device-cert.der},
 * {@code ca-cert.der}. Its key manager always presents the current certificate, so a renewal takes effect on the next
 * connection without rebuilding clients; before enrollment it presents none (only Enroll works then). Thread-safe.
 */
public final class DeviceCredentials {
    private static final String CERT_FILE = "device-cert.der";
    private static final String CA_FILE = "ca-cert.der";
    private final String deviceId;
    private final Path dir;
    private final DeviceKeys keys;
    private final X509Certificate authority;
    private volatile X509Certificate certificate;

    private DeviceCredentials(String deviceId, Path dir, DeviceKeys keys, X509Certificate authority, X509Certificate certificate) {
        this.deviceId = deviceId;
        this.dir = dir;
        this.keys = keys;
        this.authority = authority;
        this.certificate = certificate;
    }

    /**
     * @param deviceId  this device
     * @param dir       its identity directory (created 700)
     * @param authority the CA certificate from the operator (PEM or DER file); null = the one kept in {@code dir}
     * @throws ConfigException when there is no CA certificate, it does not parse, or the key file is open to others
     */
    public static DeviceCredentials load(String deviceId, Path dir, Path authority) throws IOException {
        X509Certificate ca;
        Path kept = dir.resolve(CA_FILE);
        if (authority != null) {
            ca = ConfigException.wrap("ca-file", () -> readCertificate(authority));
        } else if (Files.exists(kept)) {
            ca = TlsCredentials.certificate(Files.readAllBytes(kept));
        } else {
            throw new ConfigException("ca-file must name the coordinator's CA certificate (its data-dir/keys/ca/ca-cert.der, or a PEM"
                    + " of it) on first start; security.mode=insecure runs without one");
        }
        return of(deviceId, dir, ca);
    }

    /** As {@link #load}, with the CA certificate in hand (an embedded fleet). */
    public static DeviceCredentials of(String deviceId, Path dir, X509Certificate authority) throws IOException {
        DeviceKeys keys = DeviceKeys.loadOrCreate(dir);
        try {
            Files.write(dir.resolve(CA_FILE), authority.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        Path certFile = dir.resolve(CERT_FILE);
        X509Certificate cert = null;
        if (Files.exists(certFile)) {
            cert = TlsCredentials.certificate(Files.readAllBytes(certFile));
            if (!cert.getPublicKey().equals(keys.publicKey()) || !deviceId.equals(DeviceCertificates.deviceId(cert))) {
                cert = null; // another key or device: enroll again
            }
        }
        return new DeviceCredentials(deviceId, dir, keys, authority, cert);
    }

    private static X509Certificate readCertificate(Path file) {
        try {
            return Pem.certificate(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** @return whether a certificate was issued to this device's key */
    public boolean enrolled() {
        return certificate != null;
    }

    /** @return the current certificate */
    public Optional<X509Certificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** @return when the current certificate expires; {@link Instant#MIN} before enrollment */
    public Instant notAfter() {
        X509Certificate c = certificate;
        return c == null ? Instant.MIN : c.getNotAfter().toInstant();
    }

    /** @return whether a third or less of the current certificate's lifetime is left at {@code now} */
    public boolean renewalDue(Instant now) {
        X509Certificate c = certificate;
        if (c == null) {
            return false;
        }
        long from = c.getNotBefore().getTime();
        long to = c.getNotAfter().getTime();
        return now.toEpochMilli() >= to - (to - from) / 3;
    }

    /** @return a DER PKCS#10 request for this device's key */
    public byte[] certificationRequest() {
        return keys.certificationRequest(deviceId);
    }

    /**
     * Keeps a certificate the CA issued: from now on connections present it.
     *
     * @throws InvalidInputException when it is not for this device's key and id, or not from the trusted CA
     */
    public synchronized void install(byte[] der) throws IOException {
        X509Certificate cert = TlsCredentials.certificate(der);
        if (!cert.getPublicKey().equals(keys.publicKey()) || !deviceId.equals(DeviceCertificates.deviceId(cert))) {
            throw new InvalidInputException("the issued certificate is not for this device's key and id");
        }
        try {
            cert.verify(authority.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new InvalidInputException("the issued certificate is not signed by the trusted CA: " + e.getMessage());
        }
        KeyFiles.createDirectory(dir);
        Path tmp = dir.resolve(CERT_FILE + ".tmp");
        Files.write(tmp, der);
        Files.move(tmp, dir.resolve(CERT_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        certificate = cert;
    }

    /** @return the device id */
    public String deviceId() {
        return deviceId;
    }

    /** @return the CA certificate */
    public X509Certificate authority() {
        return authority;
    }

    /** @return trust managers accepting the Flock CA only */
    public TrustManagerFactory trustManagers() {
        return TlsCredentials.trusting(authority);
    }

    /** @return a key manager presenting the current certificate (none before enrollment) */
    public X509ExtendedKeyManager keyManager() {
        return new Current();
    }

    /** @return {@link #keyManager()} as a factory, for clients that take one */
    public KeyManagerFactory keyManagerFactory() {
        KeyManager[] managers = {keyManager()};
        return new KeyManagerFactory(new KeyManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks, char[] password) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {
            }

            @Override
            protected KeyManager[] engineGetKeyManagers() {
                return managers;
            }
        }, new Provider("flock-device", "1", "the device's current certificate") {
        }, "flock-device") {
        };
    }

    /** @return a TLS context with the current certificate and the CA, for clients that take a socket factory */
    public SSLContext sslContext() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new KeyManager[] {keyManager()}, trustManagers().getTrustManagers(), null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context", e);
        }
    }

    /** Presents whatever certificate is current when a handshake asks. */
    private final class Current extends X509ExtendedKeyManager {
        private static final String ALIAS = "device";

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return certificate == null ? null : ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return certificate == null ? null : ALIAS;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            X509Certificate c = certificate;
            return c == null ? null : new X509Certificate[] {c, authority};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return certificate == null ? null : keys.privateKey();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return certificate == null ? null : new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
