package io.flock.coordinator.grpc;

import io.flock.coordinator.security.AccessDeniedException;
import io.flock.coordinator.security.DeviceTrust;

/**
 * Which device a call acts for. In secure mode it is the device the peer certificate names ({@link PeerAuthentication}),
 * never a message body: a body naming another device is refused PERMISSION_DENIED, unless the caller is the gateway that
 * device is enrolled behind. In insecure mode (no certificates) the body's id is taken as it is. Thread-safe.
 */
public final class Callers {
    /** Insecure mode: bodies are believed. */
    public static final Callers INSECURE = new Callers(null);
    private final DeviceTrust trust;

    /** @param trust which gateways act for which devices; null = insecure mode */
    public Callers(DeviceTrust trust) {
        this.trust = trust;
    }

    /** @return whether calls are authenticated by certificate */
    public boolean secure() {
        return trust != null;
    }

    /** @return the authenticated device of the current call, null when there is none */
    public String caller() {
        return PeerAuthentication.DEVICE.get();
    }

    /**
     * @param bodyId the device id a message names ("" = the caller)
     * @return the device the call acts for
     * @throws AccessDeniedException when the body names a device the caller may not act for
     */
    public String actingFor(String bodyId) {
        return actingFor(caller(), bodyId);
    }

    /** {@link #actingFor(String)} for a caller captured earlier (a streaming call's header). */
    public String actingFor(String caller, String bodyId) {
        if (trust == null) {
            return bodyId;
        }
        if (caller == null) {
            throw new AccessDeniedException("this call needs an authenticated device");
        }
        if (bodyId.isEmpty() || bodyId.equals(caller)) {
            return caller;
        }
        if (trust.behind(caller, bodyId)) {
            return bodyId;
        }
        throw new AccessDeniedException("device " + caller + " may not act for device " + io.flock.coordinator.intake.FieldLimits.echo(bodyId)
                + ": a device acts for itself only, a gateway for the devices enrolled behind it");
    }
}
