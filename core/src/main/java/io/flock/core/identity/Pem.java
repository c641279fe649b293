package io.flock.core.identity;

import io.flock.core.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * PEM, as external brokers (Mosquitto, EMQX) and operators' tools read keys and certificates, written and read with
 * Bouncy Castle. Stateless.
 */
public final class Pem {
    private Pem() {
    }

    /** @return a certificate, or a private key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, which OpenSSL 3 reads), as PEM text */
    public static String of(Object keyOrCertificate) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (keyOrCertificate instanceof java.security.PrivateKey key) {
                w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            } else {
                w.writeObject(keyOrCertificate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * @param bytes a DER certificate, or PEM text holding one
     * @return the certificate
     * @throws InvalidInputException when it is neither
     */
    public static X509Certificate certificate(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            return TlsCredentials.certificate(bytes);
        }
        try (PEMParser p = new PEMParser(new StringReader(text))) {
            if (p.readObject() instanceof X509CertificateHolder h) {
                return TlsCredentials.certificate(h.getEncoded());
            }
        } catch (IOException e) {
            throw new InvalidInputException("PEM certificate does not parse: " + e.getMessage());
        }
        throw new InvalidInputException("PEM text holds no certificate");
    }
}
