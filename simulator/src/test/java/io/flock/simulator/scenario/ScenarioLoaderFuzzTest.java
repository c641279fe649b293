package io.flock.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link ScenarioLoader#parse} (and so {@link YamlNode}), seeded with the shipped scenarios: any text loads as a
 * validated scenario or is refused with {@link ConfigException}.
 */
class ScenarioLoaderFuzzTest {
    static Stream<byte[]> seeds() {
        return ScenarioLoader.shipped().stream().map(name -> {
            try (InputStream in = ScenarioLoader.class.getResourceAsStream("/scenarios/" + name + ".yaml")) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void parse_anyYaml_loadsOrRefuses(byte[] input) {
        try {
            assertThat(ScenarioLoader.parse(new String(input, StandardCharsets.UTF_8), "fuzz").name()).isNotNull();
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
