package io.flock.coordinator.mqtt.security;

import io.flock.core.InvalidInputException;
import io.flock.core.link.Topics;
import java.util.List;
import java.util.Objects;

/**
 * Which MQTT client ids, topics and topic filters an authenticated identity may use: Flock's topic scheme
 * ({@link Topics}) as an access list. Default deny: anything not listed below is refused, including {@code #}, any
 * {@code +} in a device's filter, {@code $SYS} and shared subscriptions ({@code $share/...}).
 * <ul>
 *   <li>The coordinator: client id {@code flock-coordinator-<anything>}; publishes and subscribes anywhere under
 *       {@code flock/v1/} (wildcards allowed there, e.g. {@code flock/v1/devices/+/status}).</li>
 *   <li>Device X: client id {@code flock-agent-X} or {@code flock-gateway-X}; subscribes exactly
 *       {@code flock/v1/devices/X/tasks}, {@code flock/v1/models/M/announcement} and {@code flock/v1/models/M/chunks}
 *       for any single model name M; publishes exactly {@code flock/v1/devices/X/status} (its last will included).</li>
 *   <li>Device X as a gateway: also publishes {@code flock/v1/gateways/X/status}, and for each device D that the
 *       {@link DeviceDirectory} says is {@linkplain DeviceDirectory#behind behind} X, publishes
 *       {@code flock/v1/devices/D/status} and subscribes {@code flock/v1/devices/D/tasks}.</li>
 * </ul>
 * Payloads are not looked at: the coordinator checks what a status message says. Pure apart from the directory, which
 * it asks only for another device's topic; thread-safe when the directory is.
 */
public final class TopicPolicy {
    /** Client id prefix of the coordinator's sessions (followed by anything non-empty). */
    public static final String COORDINATOR_CLIENT_PREFIX = "flock-coordinator-";
    /** Client id prefix of an agent's own session (followed by its device id). */
    public static final String AGENT_CLIENT_PREFIX = "flock-agent-";
    /** Client id prefix of a gateway's session (followed by its device id). */
    public static final String GATEWAY_CLIENT_PREFIX = "flock-gateway-";
    private static final String ROOT = Topics.ROOT + "/";
    private final DeviceDirectory directory;

    /** @param directory answers which devices sit behind a gateway */
    public TopicPolicy(DeviceDirectory directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** @return the only client ids device {@code deviceId} may connect with: as an agent, and as a gateway */
    public static List<String> clientIds(String deviceId) {
        return List.of(AGENT_CLIENT_PREFIX + deviceId, GATEWAY_CLIENT_PREFIX + deviceId);
    }

    /** @return whether {@code who} may open an MQTT session under {@code clientId} */
    public boolean mayConnectAs(Identity who, String clientId) {
        if (who instanceof Identity.Device d) {
            return clientIds(d.id()).contains(clientId);
        }
        return clientId.startsWith(COORDINATOR_CLIENT_PREFIX) && clientId.length() > COORDINATOR_CLIENT_PREFIX.length();
    }

    /** @return whether {@code who} may publish to {@code topic} (a topic name, never a filter) */
    public boolean mayPublish(Identity who, String topic) {
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            return false;
        }
        if (!(who instanceof Identity.Device d)) {
            return topic.startsWith(ROOT);
        }
        if (topic.equals(Topics.status(d.id())) || topic.equals(gatewayStatus(d.id()))) {
            return true;
        }
        return isBehind(d, Topics.deviceOfStatus(topic));
    }

    /** @return whether {@code who} may subscribe to {@code filter} (as sent, shared-subscription prefix included) */
    public boolean maySubscribe(Identity who, String filter) {
        if (!(who instanceof Identity.Device d)) {
            return filter.startsWith(ROOT);
        }
        if (filter.equals(Topics.tasks(d.id()))) {
            return true;
        }
        String[] s = filter.split("/", -1);
        if (s.length == 5 && filter.startsWith(ROOT + "models/") && isSegment(s[3])
                && (s[4].equals("announcement") || s[4].equals("chunks"))) {
            return true;
        }
        return isBehind(d, Topics.deviceOfTasks(filter));
    }

    /** @return the status topic a gateway publishes about itself (its last will included) */
    public static String gatewayStatus(String gatewayId) {
        return ROOT + "gateways/" + Topics.segment(gatewayId) + "/status";
    }

    private boolean isBehind(Identity.Device gateway, String deviceId) {
        return deviceId != null && isSegment(deviceId) && !deviceId.equals(gateway.id()) && directory.behind(gateway.id(), deviceId);
    }

    private static boolean isSegment(String name) {
        try {
            Topics.segment(name);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }
}
