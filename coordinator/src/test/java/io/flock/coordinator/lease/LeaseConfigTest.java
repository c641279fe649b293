package io.flock.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaseConfigTest {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final String H2 = "jdbc:h2:file:/tmp/x/flock";

    @Test
    void enabled_auto_onWithPostgresOnly() {
        LeaseConfig auto = new LeaseConfig("auto", Duration.ofSeconds(15), "");

        assertThat(auto.enabled(PG)).isTrue();
        assertThat(auto.enabled(H2)).isFalse();
        assertThat(new LeaseConfig("OFF", Duration.ofSeconds(15), "").enabled(PG)).isFalse();
        assertThat(auto.renewEvery()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void enabled_onWithH2_isRefusedNamingTheKey() {
        LeaseConfig on = new LeaseConfig("on", Duration.ofSeconds(15), "");

        assertThatThrownBy(() -> on.enabled(H2)).isInstanceOf(ConfigException.class).hasMessageContaining("lease.mode");
    }

    @Test
    void fromSettings_badModeOrTooShortTtl_isRefusedNamingTheKey() {
        assertThatThrownBy(() -> config(Map.of("lease.mode", "sometimes"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("lease.mode").hasMessageContaining("sometimes");
        assertThatThrownBy(() -> config(Map.of("lease.ttl", "500ms"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("lease.ttl");
        assertThat(config(Map.of()).lease()).isEqualTo(new LeaseConfig("auto", Duration.ofSeconds(15), ""));
    }

    private static CoordinatorConfig config(Map<String, String> flags) {
        return CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), flags));
    }
}
