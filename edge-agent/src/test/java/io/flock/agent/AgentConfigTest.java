package io.flock.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.training.PlanLimits;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void from_exampleYamlWithEnvOverride_resolves() throws Exception {
        Path yaml = dir.resolve("agent.yaml");
        Files.writeString(yaml, "device-id: gw-17\ncoordinator: 10.0.0.5:7443\noffload:\n  threshold: 0.7\n  timeout: 150ms\n");

        AgentConfig c = AgentConfig.from(Settings.resolve(AgentConfig.defaults(), yaml, Map.of("FLOCK_OFFLOAD_THRESHOLD", "0.8"), Map.of()));

        assertThat(c.deviceId()).isEqualTo("gw-17");
        assertThat(c.offloadThreshold()).isEqualTo(0.8);
        assertThat(c.offloadTimeout()).isEqualTo(Duration.ofMillis(150));
        assertThat(c.dataDir()).isNull();
        assertThat(c.telemetryInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.metricsPort()).isEqualTo(-1);
        assertThat(c.training()).isEqualTo(new PlanLimits(20, 4096));
    }

    @Test
    void from_metricsAndTrainingLimits_resolve() {
        AgentConfig c = with(Map.of("device-id", "a", "metrics.port", "0", "training.max-local-epochs", "5",
                "training.max-batch-size", "128"));

        assertThat(c.metricsPort()).isZero();
        assertThat(c.training()).isEqualTo(new PlanLimits(5, 128));
    }

    @Test
    void from_defaultThreshold_followsTheAnnouncedAdvice() {
        assertThat(with(Map.of("device-id", "a")).offloadThreshold()).isNull();
        assertThat(with(Map.of("device-id", "a", "offload.threshold", "0")).offloadThreshold()).isZero();
    }

    @Test
    void from_badValues_nameTheKey() {
        assertThatThrownBy(() -> with(Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("device-id");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "offload.threshold", "1.5"))).hasMessageContaining("offload.threshold");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "offload.threshold", "auto"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("offload.threshold").hasMessageContaining("'auto'");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "coordinator", "nohost"))).hasMessageContaining("coordinator");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "mqtt.url", "1883"))).hasMessageContaining("mqtt.url");
        assertThatThrownBy(() -> with(Map.of("device-id", "a/b"))).hasMessageContaining("a/b");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "metrics.port", "-2"))).hasMessageContaining("metrics.port");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "training.max-local-epochs", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("training.max-local-epochs");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "training.max-batch-size", "0"))).hasMessageContaining("training.max-batch-size");
    }

    private static AgentConfig with(Map<String, String> flags) {
        return AgentConfig.from(Settings.resolve(AgentConfig.defaults(), null, Map.of(), flags));
    }

    @Test
    void from_batchKeys_resolvedAndChecked() {
        AgentConfig c = with(Map.of("device-id", "a", "batch.sets", "catalogue, shelf-2,catalogue", "batch.refresh", "90s"));

        assertThat(c.batch().sets()).containsExactly("catalogue", "shelf-2");
        assertThat(c.batch().refresh()).isEqualTo(Duration.ofSeconds(90));
        assertThat(with(Map.of("device-id", "a")).batch().sets()).isEmpty();
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "batch.sets", "a/b"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch.sets");
        assertThatThrownBy(() -> with(Map.of("device-id", "a", "batch.refresh", "0s"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch.refresh");
    }

    @Test
    void toString_withAToken_neverShowsIt() {
        AgentConfig c = with(Map.of("device-id", "a", "enrollment-token", "s3cret-token"));

        assertThat(c.toString()).doesNotContain("s3cret-token").contains("deviceId=a").contains("enrollmentToken=(redacted)");
    }
}
