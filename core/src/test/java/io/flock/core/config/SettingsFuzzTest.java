package io.flock.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link Settings}: any bytes as the YAML layer resolve to settings whose every value reads as each type (int,
 * number, boolean, duration, size, path) or is refused with {@link ConfigException}, naming the key.
 */
class SettingsFuzzTest {
    private static final Map<String, String> DEFAULTS = Map.of("devices", "5", "round.timeout", "30s", "round.share", "0.5",
            "limits.max-update-bytes", "4MiB", "tls.enabled", "false", "state-dir", "");
    private static final Path FILE = temporaryFile();

    static Stream<byte[]> seeds() {
        return Stream.of("devices: 7\nround:\n  timeout: 250ms\n  share: 0.25\n", "limits:\n  max-update-bytes: 512 KiB\ntls: {enabled: yes}\n",
                "state-dir: /var/lib/flock\n", "- a\n- b\n", "round: [1, 2]\n", "devices: &a 1\nround: {timeout: *a}\n")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "3s")
    void resolve_anyYaml_readsEveryKeyOrRefuses(byte[] input) throws IOException {
        Files.write(FILE, input);
        Settings settings;
        try {
            settings = Settings.resolve(DEFAULTS, FILE, Map.of(), Map.of());
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        for (String key : DEFAULTS.keySet()) {
            read(settings, key, s -> s.integer(key));
            read(settings, key, s -> s.decimal(key));
            read(settings, key, s -> s.bool(key));
            read(settings, key, s -> assertThat(s.duration(key)).isNotNull());
            read(settings, key, s -> assertThat(s.bytes(key)).as(key).isNotNegative());
            read(settings, key, s -> s.path(key));
        }
    }

    private static void read(Settings settings, String key, Consumer<Settings> getter) {
        try {
            getter.accept(settings);
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).contains(key);
        }
    }

    private static Path temporaryFile() {
        try {
            Path file = Files.createTempFile("flock-settings-fuzz", ".yaml");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
