package io.flock.coordinator;

import io.flock.core.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * The {@code security.*} keys.
 *
 * @param secure         {@code security.mode}: {@code mtls} (the default: devices enroll, every gRPC call and MQTT
 *                       connection is mutually authenticated, REST is HTTPS with tokens) or {@code insecure} (plaintext,
 *                       message bodies believed: local demos and tests only)
 * @param deviceValidity {@code security.device-validity}: how long a device certificate is valid (agents renew when a
 *                       third is left), 10 minutes to 90 days
 * @param hosts          {@code security.hosts}: DNS names and addresses, besides localhost and 127.0.0.1, that the
 *                       coordinator's certificate names (the names devices reach it by)
 */
public record SecurityConfig(boolean secure, Duration deviceValidity, List<String> hosts) {
    /** Validates the validity. */
    public SecurityConfig {
        ConfigException.require(deviceValidity.compareTo(Duration.ofMinutes(10)) >= 0 && deviceValidity.compareTo(Duration.ofDays(90)) <= 0,
                "security.device-validity (10m .. 90d)", deviceValidity);
        hosts = List.copyOf(hosts);
    }

    /** @return the mode's flag from its name */
    static boolean mode(String name) {
        return switch (name) {
            case "mtls" -> true;
            case "insecure" -> false;
            default -> throw new ConfigException("security.mode must be mtls or insecure, got '" + name + "'");
        };
    }
}
