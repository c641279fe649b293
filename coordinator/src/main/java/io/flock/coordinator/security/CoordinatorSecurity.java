package io.flock.coordinator.security;

import io.flock.coordinator.SecurityConfig;
import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.grpc.Callers;
import io.flock.coordinator.grpc.PeerAuthentication;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.identity.TlsCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The coordinator's security in secure mode, assembled from its key directory: the device CA, the coordinator's own
 * certificate, device trust and enrollment, and the admin and app tokens. Files (all owner-only):
 * {@code keys/ca/} (CA key and certificate, the coordinator's key), {@code keys/admin-token}, {@code keys/app-token}.
 */
public final class CoordinatorSecurity {
    private final CertificateAuthority authority;
    private final TlsCredentials credentials;
    private final DeviceTrust trust;
    private final Enrollment enrollment;
    private final AccessToken admin;
    private final AccessToken apps;
    private final Clock clock;

    private CoordinatorSecurity(CertificateAuthority authority, TlsCredentials credentials, DeviceTrust trust, Enrollment enrollment,
                                AccessToken admin, AccessToken apps, Clock clock) {
        this.authority = authority;
        this.credentials = credentials;
        this.trust = trust;
        this.enrollment = enrollment;
        this.admin = admin;
        this.apps = apps;
        this.clock = clock;
    }

    /**
     * @param config the security keys (secure mode)
     * @param keys   the coordinator's key directory
     * @throws io.flock.core.config.ConfigException when a key or token file is open to group or others
     */
    public static CoordinatorSecurity open(SecurityConfig config, Path keys, FlockStore store, DeviceRegistry devices, Clock clock)
            throws IOException {
        Path caDir = keys.resolve("ca");
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(caDir, config.deviceValidity());
        TlsCredentials own = ca.coordinatorCredentials(caDir, config.hosts());
        DeviceTrust trust = new DeviceTrust(store, clock);
        return new CoordinatorSecurity(ca, own, trust, new Enrollment(ca, store, devices, trust, clock),
                AccessToken.loadOrCreate(keys.resolve("admin-token")), AccessToken.loadOrCreate(keys.resolve("app-token")), clock);
    }

    /** @return gRPC server TLS: the coordinator's certificate; client certificates asked for, checked against the CA, optional (Enroll has none) */
    public ServerCredentials grpcCredentials() {
        return TlsServerCredentials.newBuilder().keyManager(credentials.keyManagers().getKeyManagers())
                .trustManager(credentials.trustManagers().getTrustManagers()).clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL).build();
    }

    /** @return the interceptor that authenticates every gRPC call */
    public ServerInterceptor interceptor() {
        return new PeerAuthentication(trust, admin, clock);
    }

    /** @return the identity rule of device calls */
    public Callers callers() {
        return new Callers(trust);
    }

    /** @return the CA */
    public CertificateAuthority authority() {
        return authority;
    }

    /** @return the coordinator's TLS identity (gRPC, broker, REST, its MQTT client) */
    public TlsCredentials credentials() {
        return credentials;
    }

    /** @return device trust */
    public DeviceTrust trust() {
        return trust;
    }

    /** @return enrollment */
    public Enrollment enrollment() {
        return enrollment;
    }

    /** @return the operator's token */
    public AccessToken adminToken() {
        return admin;
    }

    /** @return the apps' token (REST inference) */
    public AccessToken appToken() {
        return apps;
    }
}
