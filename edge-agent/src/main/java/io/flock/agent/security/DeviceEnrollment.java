package io.flock.agent.security;

import io.flock.agent.gateway.DeviceGateway;
import io.flock.agent.link.CoordinatorClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a device its identity and keeps it: enrolls once with the enrollment token (a device with its own key; a device
 * on a secure gateway enrolls behind it, after the gateway itself), and renews the certificate when a third of its
 * lifetime is left. In insecure mode it does nothing. Thread-safe.
 */
public final class DeviceEnrollment {
    private static final Logger log = LoggerFactory.getLogger(DeviceEnrollment.class);
    private final String deviceId;
    private final DeviceCredentials credentials;
    private final DeviceGateway gateway;
    private final CoordinatorClient coordinator;
    private final Clock clock;
    private volatile boolean behindGateway;

    /**
     * @param credentials the device's own identity; null on a gateway or in insecure mode
     * @param gateway     the gateway the device is on; null for its own connections
     * @param coordinator the device's client (on the gateway's connection when it has one)
     */
    public DeviceEnrollment(String deviceId, DeviceCredentials credentials, DeviceGateway gateway, CoordinatorClient coordinator, Clock clock) {
        this.deviceId = deviceId;
        this.credentials = credentials;
        this.gateway = gateway;
        this.coordinator = coordinator;
        this.clock = clock;
    }

    /** @return whether the device authenticates (its own certificate, or a secure gateway's) */
    public boolean secure() {
        return credentials != null || (gateway != null && gateway.secure());
    }

    /** @return whether the device holds a certificate of its own to renew (not a device on a gateway) */
    public boolean renews() {
        return credentials != null;
    }

    /**
     * Enrolls when the device has no identity yet; idempotent.
     *
     * @throws StatusRuntimeException with the coordinator's refusal (UNAUTHENTICATED: a bad, spent or expired token)
     */
    public void ensureEnrolled(String hardware, String token, Duration timeout) throws IOException {
        if (credentials != null && !credentials.enrolled()) {
            credentials.install(coordinator.enroll(hardware, token, credentials.certificationRequest(), timeout).getCertificate().toByteArray());
            coordinator.reconnect();
            log.info("device={} enrolled; certificate valid until {}", deviceId, credentials.notAfter());
        } else if (gateway != null && gateway.secure() && !behindGateway) {
            gateway.enroll(hardware, token, timeout);
            try {
                coordinator.enroll(hardware, token, null, timeout);
                log.info("device={} enrolled behind its gateway", deviceId);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
            }
            behindGateway = true;
        }
    }

    /**
     * Renews the certificate when a third or less of its lifetime is left; failures are logged and tried again at the
     * next check (the current certificate stays in use until it expires).
     *
     * @return whether a new certificate was installed
     */
    public boolean renewIfDue(Duration timeout) {
        if (credentials == null || !credentials.renewalDue(clock.instant())) {
            return false;
        }
        return renew(timeout);
    }

    /** Renews now (an operator's or a test's request); @return whether a new certificate was installed */
    public boolean renew(Duration timeout) {
        if (credentials == null || !credentials.enrolled()) {
            return false;
        }
        try {
            credentials.install(coordinator.renew(credentials.certificationRequest(), timeout).getCertificate().toByteArray());
            coordinator.reconnect();
            log.info("device={} renewed its certificate; valid until {}", deviceId, credentials.notAfter());
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("device={} could not renew its certificate (valid until {}): {}", deviceId, credentials.notAfter(), e.getMessage());
            return false;
        }
    }
}
