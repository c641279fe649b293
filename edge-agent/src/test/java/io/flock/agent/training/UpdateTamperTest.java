package io.flock.agent.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.AgentConfig;
import io.flock.agent.AgentMain;
import io.flock.agent.EdgeAgent;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tamper is a test-only switch: nothing a real device is configured with can turn it on. */
class UpdateTamperTest {
    private static final List<String> ATTACK_WORDS = List.of("attack", "tamper", "byzantine", "malicious", "poison");

    @Test
    void none_leavesDataAndUpdateAsTheyAre() {
        ByteDataset data = new ByteDataset(new byte[] {1, 2}, new byte[] {3, 4}, 1);
        ModelParameters delta = new ModelParameters(List.of(new Tensor("w", new int[] {2}, new float[] {0.5f, -1f})));

        assertThat(UpdateTamper.NONE.trainingData(data)).isSameAs(data);
        assertThat(UpdateTamper.NONE.update(delta, 3)).isSameAs(delta);
    }

    @Test
    void agentConfig_noKeyOrFieldNamesAnAttack_andAnAttackKeyIsRefused() {
        for (String key : AgentConfig.defaults().keySet()) {
            assertThat(ATTACK_WORDS).as(key).noneMatch(key.toLowerCase()::contains);
        }
        for (RecordComponent c : AgentConfig.class.getRecordComponents()) {
            assertThat(ATTACK_WORDS).as(c.getName()).noneMatch(c.getName().toLowerCase()::contains);
            assertThat(c.getType()).isNotEqualTo(UpdateTamper.class);
        }
        Map<String, String> defaults = AgentConfig.defaults();
        assertThatThrownBy(() -> Settings.resolve(defaults, null, Map.of(), Map.of("attack.kind", "sign-flip")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'attack.kind'");
        // the environment only sets known keys: FLOCK_ATTACK_KIND is ignored, not read
        Settings env = Settings.resolve(defaults, null, Map.of("FLOCK_ATTACK_KIND", "sign-flip", "FLOCK_DEVICE_ID", "d1"), Map.of());
        assertThat(AgentConfig.from(env).deviceId()).isEqualTo("d1");
    }

    @Test
    void agentMain_neverNamesTheTamper_soItBuildsEveryAgentWithNone() throws Exception {
        byte[] code;
        try (InputStream in = AgentMain.class.getResourceAsStream("AgentMain.class")) {
            code = in.readAllBytes();
        }

        // a class's constant pool names every type it uses: without UpdateTamper, AgentMain can only call the
        // EdgeAgent constructors that pass UpdateTamper.NONE
        assertThat(new String(code, StandardCharsets.ISO_8859_1)).doesNotContain("UpdateTamper");
        long taking = Arrays.stream(EdgeAgent.class.getConstructors())
                .filter(c -> Arrays.asList(c.getParameterTypes()).contains(UpdateTamper.class)).count();
        assertThat(taking).as("one constructor, documented as test-only, takes a tamper").isEqualTo(1);
    }
}
