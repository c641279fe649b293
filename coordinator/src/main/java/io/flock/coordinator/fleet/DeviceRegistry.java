package io.flock.coordinator.fleet;

import io.flock.coordinator.store.DeviceRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.link.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows which devices exist (registered, durable) and which are available now (online on MQTT).
 * Thread-safe.
 */
public final class DeviceRegistry {
    private static final Logger log = LoggerFactory.getLogger(DeviceRegistry.class);
    private final FlockStore store;
    private final String enrollmentToken;
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Each device's labels (hardware=...), as registered; read from the store on first use. */
    private final Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
    private final GatewayMembers gateways;

    /**
     * @param store           durable device table
     * @param enrollmentToken token a device must present, empty = open enrollment
     */
    public DeviceRegistry(FlockStore store, String enrollmentToken) {
        this.store = store;
        this.enrollmentToken = enrollmentToken;
        this.gateways = new GatewayMembers(store);
    }

    /** @return which devices sit behind which gateway (tiered aggregation) */
    public GatewayMembers gateways() {
        return gateways;
    }

    /**
     * Registers (or re-registers) a device. Idempotent.
     *
     * @throws UnknownDeviceException when the enrollment token is wrong
     */
    public void register(String deviceId, String hardware, String token) {
        Topics.segment(deviceId);
        if (!enrollmentToken.isEmpty() && !enrollmentToken.equals(token)) {
            throw new UnknownDeviceException("device " + deviceId + " presented a wrong enrollment token");
        }
        store.upsertDevice(deviceId, hardware, System.currentTimeMillis());
        known.add(deviceId);
        labels.put(deviceId, labelsOf(hardware));
        log.debug("registered device={} hardware={}", deviceId, hardware);
    }

    /** Records a device that enrolled (the store holds it already). */
    public void enrolled(String deviceId) {
        known.add(deviceId);
    }

    /** @throws UnknownDeviceException when the device never registered */
    public void requireKnown(String deviceId) {
        if (!known.contains(deviceId)) {
            if (deviceId == null || deviceId.isEmpty() || !store.deviceExists(deviceId)) {
                throw new UnknownDeviceException("device '" + deviceId + "' is not registered");
            }
            known.add(deviceId);
        }
    }

    /** Records what a device says it runs. */
    public void heartbeat(String deviceId, long runningVersion, String lastRejection) {
        requireKnown(deviceId);
        store.recordRunningVersion(deviceId, runningVersion, lastRejection);
    }

    /** Applies a status message ("online"/"offline") seen on MQTT. */
    public void statusChanged(String deviceId, boolean isOnline) {
        if (isOnline) {
            online.add(deviceId);
        } else {
            online.remove(deviceId);
        }
    }

    /** @return registered devices that are online now, sorted by id (stable for seeded selection) */
    public List<String> available() {
        List<String> out = new ArrayList<>();
        for (String d : online) {
            if (known.contains(d) || store.deviceExists(d)) {
                out.add(d);
            }
        }
        out.sort(null);
        return out;
    }

    /** @return why the device last rejected an artifact, as it reported, "" when none */
    public String lastRejection(String deviceId) {
        return store.lastRejection(deviceId);
    }

    /**
     * @return the device's labels, which rollout cohorts and drift cohorts select on: {@code hardware} (as registered);
     *         empty for an unknown device
     */
    public Map<String, String> labels(String deviceId) {
        Map<String, String> l = labels.get(deviceId);
        if (l != null) {
            return l;
        }
        for (DeviceRow d : store.devices()) {
            labels.putIfAbsent(d.deviceId(), labelsOf(d.hardware()));
        }
        return labels.getOrDefault(deviceId, Map.of());
    }

    /** @return every registered device with what it last reported running */
    public List<DeviceRow> all() {
        return store.devices();
    }

    /** @return whether the device has a live MQTT session now */
    public boolean online(String deviceId) {
        return online.contains(deviceId);
    }

    private static Map<String, String> labelsOf(String hardware) {
        return hardware == null || hardware.isEmpty() ? Map.of() : Map.of("hardware", hardware);
    }

    /** @return the version a device last reported, 0 when none */
    public long runningVersion(String deviceId) {
        return store.runningVersion(deviceId);
    }
}
