package io.flock.coordinator.http;

import io.flock.coordinator.security.AccessToken;
import io.flock.coordinator.security.CertificateAuthority;
import io.flock.core.identity.TlsCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A fresh Flock CA in a directory, the coordinator's TLS identity from it, and two random tokens: what the secured REST
 * edge is built with in tests, and what its clients trust and send.
 *
 * @param authority the CA certificate clients trust
 * @param security  the server's TLS identity and its apps and admin tokens
 */
record SecurityFixture(X509Certificate authority, HttpSecurity security) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @return a fixture whose CA and coordinator key live in {@code dir} */
    static SecurityFixture create(Path dir) throws IOException {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, Duration.ofDays(1));
        TlsCredentials tls = ca.coordinatorCredentials(dir, List.of());
        return new SecurityFixture(ca.certificate(), new HttpSecurity(tls, AccessToken.of(token("apps")), AccessToken.of(token("admin"))));
    }

    private static String token(String prefix) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return prefix + "-" + HexFormat.of().formatHex(b);
    }

    /** @return a client TLS context that trusts this fixture's CA only */
    SSLContext clientContext() throws GeneralSecurityException {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, TlsCredentials.trusting(authority).getTrustManagers(), null);
        return c;
    }

    /** @return the CA certificate written to {@code file} as PEM, for curl's --cacert */
    Path writeAuthorityPem(Path file) throws IOException, GeneralSecurityException {
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(authority.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.writeString(file, pem);
    }
}
