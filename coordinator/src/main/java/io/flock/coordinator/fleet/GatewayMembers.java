package io.flock.coordinator.fleet;

import io.flock.coordinator.store.FlockStore;
import io.flock.core.link.Topics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which devices sit behind which gateway, durable in the store ({@code devices.gateway}): set when a device registers
 * naming its gateway (insecure mode) or enrolls behind one (secure mode). A gateway's pre-aggregated update may count
 * only these devices. Cached per gateway; a device the cache does not know yet makes it re-read the store once (a device
 * that joined since, or enrolled through another replica). Thread-safe.
 */
public final class GatewayMembers {
    private final FlockStore store;
    private final Map<String, Set<String>> behind = new ConcurrentHashMap<>();

    /** @param store durable device table */
    public GatewayMembers(FlockStore store) {
        this.store = store;
    }

    /**
     * Records that a registered device sits behind {@code gatewayId} (empty = behind none), replacing its previous gateway.
     *
     * @throws io.flock.core.InvalidInputException when the gateway id is not topic-safe
     */
    public void assign(String deviceId, String gatewayId) {
        if (!gatewayId.isEmpty()) {
            Topics.segment(gatewayId);
        }
        store.assignGateway(deviceId, gatewayId);
        behind.values().forEach(s -> s.remove(deviceId));
        if (!gatewayId.isEmpty()) {
            behind.computeIfAbsent(gatewayId, this::load).add(deviceId);
        }
    }

    /** @return how many devices sit behind the gateway (from the store when the cache may be behind) */
    public int count(String gatewayId) {
        return behind.computeIfAbsent(gatewayId, this::load).size();
    }

    /** @return whether the device sits behind the gateway */
    public boolean contains(String gatewayId, String deviceId) {
        if (behind.computeIfAbsent(gatewayId, this::load).contains(deviceId)) {
            return true;
        }
        Set<String> fresh = load(gatewayId);
        behind.put(gatewayId, fresh);
        return fresh.contains(deviceId);
    }

    /** Forgets what it cached: the next question reads the store. */
    public void refresh(String gatewayId) {
        behind.remove(gatewayId);
    }

    private Set<String> load(String gatewayId) {
        Set<String> s = ConcurrentHashMap.newKeySet();
        s.addAll(store.devicesBehind(gatewayId));
        return s;
    }
}
