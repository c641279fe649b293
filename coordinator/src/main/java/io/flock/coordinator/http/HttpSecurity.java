package io.flock.coordinator.http;

import io.flock.coordinator.security.AccessToken;
import io.flock.core.FlockException;
import io.flock.core.identity.TlsCredentials;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * How {@link InferenceHttpServer} protects its API: TLS 1.2 or 1.3 with the coordinator's certificate (no client
 * certificate asked for), and a bearer token on every endpoint except {@code /v2/health/live} and
 * {@code /v2/health/ready}, which stay open for load balancers. Either token is accepted: the apps' token, or the
 * operator's admin token. Immutable; a server built without one (null) serves plaintext HTTP to anyone.
 *
 * @param tls   the coordinator's TLS identity: the key and certificate the listener presents (its chain includes the CA)
 * @param apps  the token apps send to call inference and read model metadata
 * @param admin the operator's token, accepted wherever the apps' token is
 */
public record HttpSecurity(TlsCredentials tls, AccessToken apps, AccessToken admin) {
    private static final String BEARER = "Bearer ";

    /** @throws NullPointerException naming the missing part */
    public HttpSecurity {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(apps, "apps");
        Objects.requireNonNull(admin, "admin");
    }

    /**
     * @return whether the request's {@code Authorization} header is {@code Bearer <apps or admin token>} (the scheme's
     *         case ignored); false when it has none. Both tokens are compared, each in constant time.
     */
    boolean permits(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null) {
            return false;
        }
        if (authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            authorization = BEARER + authorization.substring(BEARER.length());
        }
        return apps.matchesBearer(authorization) | admin.matchesBearer(authorization);
    }

    /**
     * @return the listener's TLS context: TLS 1.3 and 1.2 only, Netty's default (forward-secret, AEAD) cipher suites,
     *         no client authentication
     * @throws FlockException when the key and certificate do not make one
     */
    SslContext serverContext() {
        try {
            return SslContextBuilder.forServer(tls.keyManagers()).sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(ClientAuth.NONE).build();
        } catch (SSLException e) {
            throw new FlockException("cannot build the REST TLS context for " + tls.certificate().getSubjectX500Principal() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "HttpSecurity[tls=" + tls.certificate().getSubjectX500Principal() + ", apps=" + apps + ", admin=" + admin + "]";
    }
}
