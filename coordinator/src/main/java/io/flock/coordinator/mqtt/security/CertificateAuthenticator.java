package io.flock.coordinator.mqtt.security;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import io.flock.core.InvalidInputException;
import io.flock.core.identity.TlsCredentials;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a client only on a TLS client certificate that names the coordinator, or an enrolled device whose current
 * certificate it is, and only under a client id {@link TopicPolicy#mayConnectAs} allows. Everything else gets CONNACK
 * NOT_AUTHORIZED with a reason string saying why. The directory is read off the broker's threads (at most
 * {@link #TIMEOUT}, then refused). Stateless and thread-safe: one instance serves every client.
 */
final class CertificateAuthenticator implements SimpleAuthenticator {
    /** Longest wait for the device directory before a decision counts as "no". */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(CertificateAuthenticator.class);
    private final TopicPolicy policy;
    private final DeviceDirectory directory;
    private final Executor executor;

    CertificateAuthenticator(TopicPolicy policy, DeviceDirectory directory, Executor executor) {
        this.policy = policy;
        this.directory = directory;
        this.executor = executor;
    }

    /** @return the client's certificate, when it presented one over TLS */
    static Optional<X509Certificate> certificate(ConnectionInformation connection) {
        return connection.getClientTlsInformation().flatMap(ClientTlsInformation::getClientCertificate);
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        String clientId = input.getClientInformation().getClientId();
        Optional<X509Certificate> certificate = certificate(input.getConnectionInformation());
        if (certificate.isEmpty()) {
            refuse(output, clientId, "a TLS client certificate issued by the Flock CA is required");
            return;
        }
        Identity who;
        try {
            certificate.get().checkValidity();
            who = Identity.of(certificate.get());
        } catch (CertificateException e) {
            refuse(output, clientId, "client certificate is outside its validity period: " + e.getMessage());
            return;
        } catch (InvalidInputException e) {
            refuse(output, clientId, "client certificate names no Flock identity: " + e.getMessage());
            return;
        }
        if (!policy.mayConnectAs(who, clientId)) {
            refuse(output, clientId, who + " may not use client id '" + clientId + "' (allowed: "
                    + (who instanceof Identity.Device d ? String.join(" or ", TopicPolicy.clientIds(d.id())) : TopicPolicy.COORDINATOR_CLIENT_PREFIX + "<suffix>") + ")");
            return;
        }
        if (!(who instanceof Identity.Device device)) {
            admit(output, clientId, who);
            return;
        }
        String fingerprint = TlsCredentials.fingerprint(certificate.get());
        Async<SimpleAuthOutput> async = output.async(TIMEOUT, TimeoutFallback.FAILURE, ConnackReasonCode.NOT_AUTHORIZED,
                "the device directory did not answer within " + TIMEOUT.toSeconds() + " s");
        try {
            executor.execute(() -> {
                try {
                    if (directory.admits(device.id(), fingerprint)) {
                        admit(output, clientId, who);
                    } else {
                        refuse(output, clientId, who + " is not enrolled, is revoked, or this certificate (sha-256 " + fingerprint
                                + ") is not its current one");
                    }
                } catch (RuntimeException e) {
                    log.warn("mqtt connect client={} device directory failed: {}", clientId, e.toString());
                    refuse(output, clientId, "the device directory failed");
                } finally {
                    async.resume();
                }
            });
        } catch (RejectedExecutionException e) {
            refuse(output, clientId, "the broker is shutting down");
            async.resume();
        }
    }

    private static void admit(SimpleAuthOutput output, String clientId, Identity who) {
        // Every publish and subscription goes through PolicyAuthorizer; should it ever defer, the default is deny.
        output.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        output.authenticateSuccessfully();
        log.debug("mqtt connect admitted client={} identity={}", clientId, who);
    }

    private static void refuse(SimpleAuthOutput output, String clientId, String reason) {
        log.info("mqtt connect refused client={} reason={}", clientId, reason);
        output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, reason);
    }
}
