package io.flock.coordinator.grpc;

import io.flock.coordinator.security.AccessToken;
import io.flock.coordinator.security.DeviceTrust;
import io.flock.core.InvalidInputException;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.TlsCredentials;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.CoordinatorGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling, decided before any service code runs (secure mode only). The TLS layer has checked that a client
 * certificate chains to the Flock CA; here the certificate's device id is read ({@link DeviceCertificates}), its
 * validity dates are checked again (a connection may outlive them), and {@link DeviceTrust} says whether it is the
 * device's current, unrevoked certificate. The device id then rides in the call's context for {@link Callers}. Calls
 * without a certificate are refused UNAUTHENTICATED, except {@code Enroll}. The Admin service takes no device
 * certificate: it needs the admin token as {@code authorization: Bearer ...}. Nothing in a refused call reaches a service.
 */
public final class PeerAuthentication implements ServerInterceptor {
    /** The authenticated device of the current call; null in insecure mode and for an Enroll without a certificate. */
    static final Context.Key<String> DEVICE = Context.key("flock-device");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of(AccessToken.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private final DeviceTrust trust;
    private final AccessToken admin;
    private final Clock clock;

    /**
     * @param trust which certificates are current
     * @param admin the operator's token for the Admin service
     * @param clock now
     */
    public PeerAuthentication(DeviceTrust trust, AccessToken admin, Clock clock) {
        this.trust = trust;
        this.admin = admin;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (AdminGrpc.SERVICE_NAME.equals(service)) {
            if (!admin.matchesBearer(headers.get(AUTHORIZATION))) {
                return refuse(call, Status.UNAUTHENTICATED.withDescription("Admin calls need the admin token (authorization: Bearer"
                        + " <the token in the coordinator's data-dir/keys/admin-token>)"));
            }
            return next.startCall(call, headers);
        }
        X509Certificate peer = peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (peer == null) {
            if (CoordinatorGrpc.getEnrollMethod().getFullMethodName().equals(call.getMethodDescriptor().getFullMethodName())) {
                return next.startCall(call, headers);
            }
            return refuse(call, Status.UNAUTHENTICATED.withDescription("this call needs a device certificate: enroll first"
                    + " (an enrollment token from bin/flock enroll-token)"));
        }
        String device;
        try {
            device = DeviceCertificates.deviceId(peer);
            peer.checkValidity(Date.from(clock.instant()));
        } catch (InvalidInputException e) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("client certificate names no device: " + e.getMessage()));
        } catch (CertificateException e) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("client certificate is outside its validity ("
                    + peer.getNotBefore().toInstant() + " .. " + peer.getNotAfter().toInstant() + "): renew or enroll again"));
        }
        if (!trust.admits(device, TlsCredentials.fingerprint(peer))) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("the certificate of device " + device
                    + " is revoked or was not issued to it"));
        }
        return Contexts.interceptCall(Context.current().withValue(DEVICE, device), call, headers, next);
    }

    private static X509Certificate peer(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
