package io.flock.coordinator.security;

import io.flock.coordinator.mqtt.security.DeviceDirectory;
import io.flock.coordinator.store.DeviceIdentityRow;
import io.flock.coordinator.store.FlockStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a certificate is a device's current one, asked on every gRPC call and every MQTT connect: issued to that
 * device, unexpired, and neither it nor the device revoked. Answers from memory after the first look in the store; a
 * revocation is seen by every later call at once (it is marked in memory before the store is changed), and told to the
 * listeners that close the device's live sessions. Thread-safe.
 */
public final class DeviceTrust implements DeviceDirectory {
    private static final Logger log = LoggerFactory.getLogger(DeviceTrust.class);
    private final FlockStore store;
    private final Clock clock;
    /** Fingerprints of admitted certificates by device id (their expiry is checked on the certificate itself). */
    private final Map<String, Set<String>> admitted = new ConcurrentHashMap<>();
    private final Map<String, Optional<DeviceIdentityRow>> identities = new ConcurrentHashMap<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final CopyOnWriteArrayList<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();

    /**
     * @param store devices and certificates
     * @param clock now
     */
    public DeviceTrust(FlockStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * @return whether {@code fingerprint} names a certificate issued to {@code deviceId} and not revoked; its validity
     *         dates are the caller's to check on the certificate
     */
    @Override
    public boolean admits(String deviceId, String fingerprint) {
        if (revoked.contains(deviceId)) {
            return false;
        }
        if (admitted.getOrDefault(deviceId, Set.of()).contains(fingerprint)) {
            return true;
        }
        if (!store.certificateAdmitted(deviceId, fingerprint, clock.millis())) {
            return false;
        }
        admitted.computeIfAbsent(deviceId, d -> ConcurrentHashMap.newKeySet()).add(fingerprint);
        return !revoked.contains(deviceId);
    }

    /** @return whether {@code deviceId} is enrolled behind {@code gateway} and not revoked */
    @Override
    public boolean behind(String gateway, String deviceId) {
        if (revoked.contains(deviceId) || revoked.contains(gateway)) {
            return false;
        }
        return identities.computeIfAbsent(deviceId, store::deviceIdentity)
                .map(r -> r.enrolled() && !r.revoked() && gateway.equals(r.gateway())).orElse(false);
    }

    /**
     * Revokes a device and its certificates: later calls are refused, and the listeners close its live sessions.
     *
     * @return the certificates revoked, -1 for an unknown device (nothing changed)
     */
    public int revoke(String deviceId) {
        if (store.deviceIdentity(deviceId).isEmpty()) {
            return -1;
        }
        revoked.add(deviceId);
        int n = store.revokeDevice(deviceId);
        admitted.remove(deviceId);
        identities.remove(deviceId);
        log.info("device={} revoked ({} certificates)", deviceId, n);
        for (Consumer<String> l : revocationListeners) {
            try {
                l.accept(deviceId);
            } catch (RuntimeException e) {
                log.warn("a revocation listener failed for device={}: {}", deviceId, e.toString());
            }
        }
        return n;
    }

    /** Forgets what is cached of a device that enrolled (anew). */
    void forget(String deviceId) {
        admitted.remove(deviceId);
        identities.remove(deviceId);
        revoked.remove(deviceId);
    }

    /** Adds a listener told of each revoked device id (the embedded broker closes its sessions). */
    public void onRevocation(Consumer<String> listener) {
        revocationListeners.add(listener);
    }
}
