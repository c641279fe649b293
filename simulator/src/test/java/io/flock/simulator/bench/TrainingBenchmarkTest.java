package io.flock.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.simulator.fleet.BundledData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingBenchmarkTest {
    @Test
    void timesBothTrainersAndWritesTheReport(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        new TrainingBenchmark(new PrintStream(console, true)).run(BundledData.subset(), 1, 3, out);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        for (String trainer : new String[] {"dense", "djl"}) {
            JsonNode ms = report.path("milliseconds").path(trainer);
            assertThat(ms.path("min").asDouble()).as(trainer).isPositive();
            assertThat(ms.path("median").asDouble()).isBetween(ms.path("min").asDouble(), ms.path("max").asDouble());
        }
        assertThat(report.path("config").path("reps").asInt()).isEqualTo(3);
        assertThat(report.path("speedupOverDjl").asDouble()).isPositive();
        assertThat(console.toString()).contains("dense kernel: median").contains("3/3 timed repetitions");
    }

    @Test
    void tooFewRepetitionsIsAClearError(@TempDir Path out) {
        assertThatThrownBy(() -> new TrainingBenchmark(System.out).run(BundledData.subset(), 0, 2, out))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--reps >= 3");
    }

    @Test
    void tooFewSamplesOfTheTwoLabelsIsAClearError() {
        ByteDataset tiny = new ByteDataset(new byte[4 * 784], new byte[] {3, 7, 1, 3}, 784);
        assertThatThrownBy(() -> TrainingBenchmark.twoLabels(tiny))
                .isInstanceOf(ConfigException.class).hasMessageContaining("only 3 samples labelled 3 or 7");
    }
}
