package io.flock.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoordinatorConfigTest {
    private static CoordinatorConfig with(Map<String, String> flags) {
        return CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), flags));
    }

    @Test
    void from_defaults_areValid() {
        CoordinatorConfig c = with(Map.of());

        assertThat(c.modelSpec().toString()).isEqualTo("mlp:784-200-200-10");
        assertThat(c.roundTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxUpdateBytes()).isEqualTo(64L << 20);
        assertThat(c.jdbcUrl()).startsWith("jdbc:h2:file:");
    }

    @Test
    void from_badValues_nameTheKey() {
        assertThatThrownBy(() -> with(Map.of("round.devices", "0"))).isInstanceOf(ConfigException.class).hasMessageContaining("round.devices");
        assertThatThrownBy(() -> with(Map.of("round.devices", "3", "round.min-results", "4"))).hasMessageContaining("round.min-results");
        assertThatThrownBy(() -> with(Map.of("grpc.port", "70000"))).hasMessageContaining("grpc.port");
        assertThatThrownBy(() -> with(Map.of("mqtt.url", "localhost:1883"))).hasMessageContaining("mqtt.url");
        assertThatThrownBy(() -> with(Map.of("push.codec", "zip"))).hasMessageContaining("unknown codec 'zip'");
        assertThatThrownBy(() -> with(Map.of("model.name", "a/b"))).hasMessageContaining("a/b");
        assertThatThrownBy(() -> with(Map.of("training.learning-rate", "-1"))).hasMessageContaining("learning-rate");
        assertThatThrownBy(() -> with(Map.of("round.timeout", "0s"))).hasMessageContaining("round.timeout");
    }
}
