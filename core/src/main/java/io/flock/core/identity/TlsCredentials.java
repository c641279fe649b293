package io.flock.core.identity;

import io.flock.core.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One side's TLS material: its private key, its certificate (issued by the Flock CA), and the CA certificate it trusts
 * peers by. Every TLS endpoint of Flock (gRPC, the embedded broker, MQTT clients, REST) builds its key and trust
 * managers here, so all of them trust exactly the one CA. Immutable.
 *
 * @param key         this side's private key
 * @param certificate this side's certificate, naming the key's public half
 * @param authority   the CA certificate peers must chain to
 */
public record TlsCredentials(PrivateKey key, X509Certificate certificate, X509Certificate authority) {
    private static final char[] NO_PASSWORD = new char[0];

    /** @return key managers presenting this side's certificate */
    public KeyManagerFactory keyManagers() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("flock", key, NO_PASSWORD, new X509Certificate[] {certificate, authority});
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(ks, NO_PASSWORD);
            return f;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build key managers for " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** @return trust managers that accept peers chaining to {@link #authority()} only */
    public TrustManagerFactory trustManagers() {
        return trusting(authority);
    }

    /** @return a TLS context presenting this side's certificate and trusting the CA only */
    public SSLContext sslContext() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keyManagers().getKeyManagers(), trustManagers().getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context", e);
        }
    }

    /** @return trust managers that accept peers chaining to {@code authority} only (a client that holds no certificate yet) */
    public static TrustManagerFactory trusting(X509Certificate authority) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("flock-ca", authority);
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(ts);
            return f;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build trust managers", e);
        }
    }

    /**
     * @return the certificate in {@code der}
     * @throws InvalidInputException when the bytes are not one DER X.509 certificate
     */
    public static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new InvalidInputException("not a DER X.509 certificate: " + e.getMessage());
        }
    }

    /** @return the lower-case hex SHA-256 of the certificate's DER encoding, as the coordinator stores and revokes it */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }
}
