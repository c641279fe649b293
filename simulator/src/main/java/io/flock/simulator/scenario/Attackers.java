package io.flock.simulator.scenario;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which devices of a run are byzantine, and with which attack: the report's {@code attackers} section and the
 * console's count. Immutable.
 */
final class Attackers {
    /** Device id to its profile, malicious devices only, in device order. */
    private final Map<String, DeviceProfile> byDevice;
    private final int devices;

    /**
     * @param ids      every device's id, in device order
     * @param profiles every device's profile, in the same order
     */
    Attackers(List<String> ids, List<DeviceProfile> profiles) {
        Map<String, DeviceProfile> m = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            if (profiles.get(i).attack().malicious()) {
                m.put(ids.get(i), profiles.get(i));
            }
        }
        this.byDevice = m;
        this.devices = ids.size();
    }

    /** @return whether any device is malicious */
    boolean any() {
        return !byDevice.isEmpty();
    }

    /** @return how many of {@code selected} are malicious */
    int among(Collection<?> selected) {
        return (int) selected.stream().filter(byDevice::containsKey).count();
    }

    /** @return one console line: how many devices are malicious, and how */
    String line() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        byDevice.values().forEach(p -> counts.merge(p.name() + " " + p.attack().describe(), 1, Integer::sum));
        return "attackers: " + byDevice.size() + " of " + devices + " devices " + counts;
    }

    /**
     * @param selection the report's selection block: round number to the devices sent a task
     * @return the {@code attackers} section: the count, each malicious profile with its attack and device count, the
     *         device ids, and how many of each round's selected devices were malicious
     */
    Map<String, Object> section(Map<String, Object> selection) {
        Map<String, Map<String, Object>> profiles = new LinkedHashMap<>();
        for (DeviceProfile p : byDevice.values()) {
            profiles.computeIfAbsent(p.name(), n -> Simulation.map("profile", n, "attack", p.attack().describe(), "devices", 0))
                    .merge("devices", 1, (a, b) -> (Integer) a + (Integer) b);
        }
        Map<String, Object> perRound = new LinkedHashMap<>();
        selection.forEach((round, selected) -> perRound.put(round, among((Collection<?>) selected)));
        return Simulation.map("devices", byDevice.size(), "share", devices == 0 ? 0.0 : (double) byDevice.size() / devices,
                "profiles", new ArrayList<>(profiles.values()), "deviceIds", new ArrayList<>(byDevice.keySet()),
                "selectedPerRound", perRound);
    }
}
