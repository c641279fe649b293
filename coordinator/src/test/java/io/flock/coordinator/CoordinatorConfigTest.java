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

        assertThat(c.model().spec().toString()).isEqualTo("mlp:784-200-200-10");
        assertThat(c.round().timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.limits().maxUpdateBytes()).isEqualTo(64L << 20);
        assertThat(c.jdbcUrl()).startsWith("jdbc:h2:file:").contains("DB_CLOSE_ON_EXIT=FALSE");
        assertThat(c.strategy().build().name()).isEqualTo("fedavg");
        assertThat(c.strategy().plan().updateCodec()).isEqualTo("fp32");
        assertThat(c.registry().variants()).isEmpty();
        assertThat(c.schedule().mode()).isEqualTo("continuous");
        assertThat(c.http()).isEqualTo(new CoordinatorConfig.Http("127.0.0.1", 8000, 8L << 20, Duration.ofSeconds(2)));
    }

    @Test
    void from_distillation_badSettings_nameTheKey() {
        assertThat(with(Map.of()).strategy().plan().teacher()).isNull();
        assertThat(with(Map.of("distill.teacher", "fmnist-cnn")).strategy().plan().teacher().distillation().temperature()).isEqualTo(4f);

        assertThatThrownBy(() -> with(Map.of("distill.teacher", "fmnist-mlp"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("distill.teacher").hasMessageContaining("cannot teach itself");
        assertThatThrownBy(() -> with(Map.of("distill.teacher", "t", "distill.temperature", "0"))).hasMessageContaining("distill.temperature")
                .hasMessageContaining("temperature must be finite and > 0");
        assertThatThrownBy(() -> with(Map.of("distill.teacher", "t", "distill.alpha", "1.5"))).hasMessageContaining("distill.alpha")
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> with(Map.of("distill.teacher", "t", "model.spec", "cnn:28x28-4-8-16-10", "push.codec", "fp32")))
                .hasMessageContaining("distillation trains MLP students");
        assertThatThrownBy(() -> with(Map.of("distill.teacher", "a/b"))).hasMessageContaining("distill.teacher");
        assertThatThrownBy(() -> with(Map.of("registry.variants", "distill:cnn"))).hasMessageContaining("registry.variants")
                .hasMessageContaining("distill.teacher");
    }

    @Test
    void from_async_readsItsKeys_andRefusesWhatNeedsARoundsSetOfUpdates() {
        CoordinatorConfig c = with(Map.of("async.enabled", "true", "async.buffer-size", "20", "async.concurrency", "50",
                "async.staleness", "polynomial", "async.staleness-exponent", "0.5"));
        assertThat(c.async().enabled()).isTrue();
        assertThat(c.async().weight().weight(3)).isEqualTo(0.5);
        assertThat(with(Map.of()).async().enabled()).isFalse();

        assertThatThrownBy(() -> with(Map.of("async.buffer-size", "0"))).hasMessageContaining("async.buffer-size");
        assertThatThrownBy(() -> with(Map.of("async.concurrency", "0"))).hasMessageContaining("async.concurrency");
        assertThatThrownBy(() -> with(Map.of("async.max-staleness", "-1"))).hasMessageContaining("async.max-staleness");
        assertThatThrownBy(() -> with(Map.of("async.staleness", "linear"))).hasMessageContaining("async.staleness must be sqrt or polynomial");
        assertThatThrownBy(() -> with(Map.of("async.staleness", "polynomial", "async.staleness-exponent", "-1")))
                .hasMessageContaining("async.staleness-exponent");
        assertThatThrownBy(() -> with(Map.of("async.enabled", "true", "training.secure-aggregation", "true")))
                .hasMessageContaining("training.secure-aggregation").hasMessageContaining("cannot be summed securely");
        assertThatThrownBy(() -> with(Map.of("async.enabled", "true", "strategy.aggregator", "median")))
                .hasMessageContaining("strategy.aggregator").hasMessageContaining("staleness-weighted mean");
        assertThatThrownBy(() -> with(Map.of("async.enabled", "true", "privacy.mode", "central", "privacy.noise-multiplier", "1",
                "training.clip-norm", "1"))).hasMessageContaining("privacy.mode");
        assertThatThrownBy(() -> with(Map.of("async.enabled", "true", "database.url", "jdbc:postgresql://127.0.0.1:5432/test")))
                .hasMessageContaining("lease.mode").hasMessageContaining("async.enabled runs on one coordinator");
        assertThat(with(Map.of("async.enabled", "true", "database.url", "jdbc:postgresql://127.0.0.1:5432/test", "lease.mode", "off"))
                .async().enabled()).isTrue();
    }

    @Test
    void from_badValues_nameTheKey() {
        assertThatThrownBy(() -> with(Map.of("round.devices", "0"))).isInstanceOf(ConfigException.class).hasMessageContaining("round.devices");
        assertThatThrownBy(() -> with(Map.of("round.devices", "3", "round.min-results", "4"))).hasMessageContaining("round.min-results");
        assertThatThrownBy(() -> with(Map.of("grpc.port", "70000"))).hasMessageContaining("grpc.port");
        assertThatThrownBy(() -> with(Map.of("mqtt.url", "localhost:1883"))).hasMessageContaining("mqtt.url");
        assertThatThrownBy(() -> with(Map.of("model.initial", "/nonexistent/trained.fp32"))).hasMessageContaining("model.initial")
                .hasMessageContaining("/nonexistent/trained.fp32");
        assertThatThrownBy(() -> with(Map.of("push.codec", "zip"))).hasMessageContaining("invalid push.codec")
                .hasMessageContaining("unknown compression step 'zip'");
        assertThatThrownBy(() -> with(Map.of("push.codec", "prune:1.2+int8"))).hasMessageContaining("invalid push.codec")
                .hasMessageContaining("sparsity 1.2 is outside [0, 1)");
        assertThatThrownBy(() -> with(Map.of("registry.variants", "int8+prune:0.5"))).hasMessageContaining("invalid registry.variants")
                .hasMessageContaining("transforms come first");
        assertThatThrownBy(() -> with(Map.of("model.name", "a/b"))).hasMessageContaining("a/b");
        assertThatThrownBy(() -> with(Map.of("training.learning-rate", "-1"))).hasMessageContaining("learning-rate");
        assertThatThrownBy(() -> with(Map.of("round.timeout", "0s"))).hasMessageContaining("round.timeout");
        assertThatThrownBy(() -> with(Map.of("strategy.name", "fedmagic"))).hasMessageContaining("strategy.name").hasMessageContaining("fedavg");
        assertThatThrownBy(() -> with(Map.of("strategy.server-learning-rate", "0"))).hasMessageContaining("strategy.server-learning-rate");
        assertThatThrownBy(() -> with(Map.of("strategy.momentum", "0.9"))).hasMessageContaining("strategy.momentum");
        assertThatThrownBy(() -> with(Map.of("training.proximal-mu", "-1"))).hasMessageContaining("proximal-mu");
        assertThatThrownBy(() -> with(Map.of("registry.variants", "int8,zip"))).hasMessageContaining("zip");
        assertThatThrownBy(() -> with(Map.of("schedule.mode", "sometimes"))).hasMessageContaining("schedule.mode");
        assertThatThrownBy(() -> with(Map.of("metrics.port", "-2"))).hasMessageContaining("metrics.port");
        assertThatThrownBy(() -> with(Map.of("http.port", "65536"))).hasMessage("invalid http.port: 65536");
        assertThatThrownBy(() -> with(Map.of("http.max-body-bytes", "512"))).hasMessage("invalid http.max-body-bytes: 512 (1KiB to 1GiB)");
        assertThatThrownBy(() -> with(Map.of("http.max-body-bytes", "2GiB"))).hasMessageContaining("invalid http.max-body-bytes");
        assertThatThrownBy(() -> with(Map.of("http.request-timeout", "0s"))).hasMessage("invalid http.request-timeout: PT0S");
    }

    @Test
    void from_sectionsReadTheirKeys() {
        CoordinatorConfig c = with(Map.of("registry.variants", "fp32, int4", "schedule.mode", "interval", "schedule.interval", "5m",
                "training.clip-norm", "1.5", "push.mode", "announce", "http.port", "-1", "http.max-body-bytes", "64KiB",
                "http.request-timeout", "250ms"));

        assertThat(c.registry().variants()).containsExactly("fp32", "int4");
        assertThat(c.schedule().interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.strategy().plan().clipNorm()).isEqualTo(1.5f);
        assertThat(c.push().broadcast()).isFalse();
        assertThat(c.http()).isEqualTo(new CoordinatorConfig.Http("127.0.0.1", -1, 64 << 10, Duration.ofMillis(250)));
    }

    @Test
    void toString_withATokenAndADatabasePassword_showsNeither() {
        CoordinatorConfig c = with(Map.of("enrollment-token", "s3cret-token", "database.url",
                "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&password=hunter2&ssl=true"));

        assertThat(c.toString()).doesNotContain("s3cret-token").doesNotContain("hunter2").contains("enrollmentToken=(redacted)")
                .contains("password=(redacted)&ssl=true");
    }
}
