package io.flock.core.link;

import io.flock.core.InvalidInputException;

/**
 * The MQTT topic scheme of flock.v1, computed identically by the coordinator and the agents. Pure
 * strings: no MQTT library here.
 * <ul>
 *   <li>{@code flock/v1/models/{model}/announcement}: retained ModelAnnouncement of the current version.</li>
 *   <li>{@code flock/v1/models/{model}/chunks}: ArtifactChunk messages of a push.</li>
 *   <li>{@code flock/v1/devices/{id}/tasks}: DeviceTask messages for one device (QoS 1).</li>
 *   <li>{@code flock/v1/devices/{id}/status}: retained "online"/"offline" (the agent's last will).</li>
 * </ul>
 */
public final class Topics {
    /** Prefix of every flock.v1 topic. */
    public static final String ROOT = "flock/v1";
    /** Payload of the status topic while a device is connected. */
    public static final String ONLINE = "online";
    /** Payload of the status topic after a device left (its last will). */
    public static final String OFFLINE = "offline";

    private Topics() {
    }

    /** @return the retained announcement topic of a model */
    public static String announcement(String model) {
        return ROOT + "/models/" + segment(model) + "/announcement";
    }

    /** @return the artifact chunk topic of a model */
    public static String chunks(String model) {
        return ROOT + "/models/" + segment(model) + "/chunks";
    }

    /** @return the task topic of a device */
    public static String tasks(String deviceId) {
        return ROOT + "/devices/" + segment(deviceId) + "/tasks";
    }

    /** @return the status topic of a device */
    public static String status(String deviceId) {
        return ROOT + "/devices/" + segment(deviceId) + "/status";
    }

    /** @return the wildcard matching every device's status topic */
    public static String allStatuses() {
        return ROOT + "/devices/+/status";
    }

    /** @return the device id in a status topic, or null when the topic is not one */
    public static String deviceOfStatus(String topic) {
        return deviceOf(topic, "/status");
    }

    /** @return the device id in a task topic, or null when the topic is not one */
    public static String deviceOfTasks(String topic) {
        return deviceOf(topic, "/tasks");
    }

    private static String deviceOf(String topic, String suffix) {
        String prefix = ROOT + "/devices/";
        if (!topic.startsWith(prefix) || !topic.endsWith(suffix) || topic.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        String id = topic.substring(prefix.length(), topic.length() - suffix.length());
        return id.indexOf('/') >= 0 ? null : id;
    }

    /**
     * @return the name, checked to be a safe single topic segment
     * @throws InvalidInputException for empty names or names with '/', '+', '#' or control characters
     */
    public static String segment(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new InvalidInputException("name '" + name + "' must be 1-128 characters of A-Z a-z 0-9 . _ -");
        }
        return name;
    }
}
