package io.flock.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;
    private final Map<String, String> defaults = Map.of("round.timeout", "30s", "round.devices", "10", "mqtt.url", "",
            "limits.max-update-bytes", "1MiB");

    @Test
    void resolve_layersDefaultsFileEnvFlagsInOrder() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "round:\n  timeout: 5s\n  devices: 3\nmqtt:\n  url: tcp://file:1883\n");

        Settings s = Settings.resolve(defaults, yaml, Map.of("FLOCK_ROUND_DEVICES", "4", "FLOCK_MQTT_URL", "tcp://env:1883"),
                Map.of("mqtt.url", "tcp://flag:1883"));

        assertThat(s.duration("round.timeout")).isEqualTo(Duration.ofSeconds(5)); // file over default
        assertThat(s.integer("round.devices")).isEqualTo(4);                      // env over file
        assertThat(s.string("mqtt.url")).isEqualTo("tcp://flag:1883");            // flag over env
        assertThat(s.bytes("limits.max-update-bytes")).isEqualTo(1 << 20);
        assertThat(Settings.envName("limits.max-update-bytes")).isEqualTo("FLOCK_LIMITS_MAX_UPDATE_BYTES");
    }

    @Test
    void resolve_unknownKeyInFileOrFlags_failsNamingIt() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "round:\n  timeuot: 5s\n");

        assertThatThrownBy(() -> Settings.resolve(defaults, yaml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'round.timeuot'").hasMessageContaining("c.yaml");
        assertThatThrownBy(() -> Settings.resolve(defaults, null, Map.of(), Map.of("devices", "3")))
                .hasMessageContaining("'devices' in flags");
    }

    @Test
    void typedGetters_badValues_nameKeyAndValue() {
        Settings s = Settings.resolve(defaults, null, Map.of(), Map.of("round.timeout", "soon", "round.devices", "ten",
                "limits.max-update-bytes", "4MB"));

        assertThatThrownBy(() -> s.duration("round.timeout")).hasMessageContaining("round.timeout").hasMessageContaining("'soon'");
        assertThatThrownBy(() -> s.integer("round.devices")).hasMessageContaining("round.devices must be a whole number, got 'ten'");
        assertThatThrownBy(() -> s.bytes("limits.max-update-bytes")).hasMessageContaining("'4MB'");
    }

    @Test
    void bytes_negativeOrPastLongRange_isRefusedNamingKeyAndValue() {
        for (String size : new String[] {"-1", "-4MiB", "9007199254740992GiB", "99999999999999999999"}) {
            Settings s = Settings.resolve(defaults, null, Map.of(), Map.of("limits.max-update-bytes", size));

            assertThatThrownBy(() -> s.bytes("limits.max-update-bytes")).as(size).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("limits.max-update-bytes").hasMessageContaining("'" + size + "'");
        }
    }

    @Test
    void path_notAPath_isRefusedNamingKey() {
        Settings s = Settings.resolve(defaults, null, Map.of(), Map.of("mqtt.url", "state\u0000dir"));

        assertThatThrownBy(() -> s.path("mqtt.url")).isInstanceOf(ConfigException.class).hasMessageContaining("mqtt.url");
    }
}
