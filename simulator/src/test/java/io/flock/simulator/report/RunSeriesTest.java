package io.flock.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSeriesTest {
    @TempDir
    Path dir;

    @Test
    void pushRuns_recordThePushBytes_andNoNumbersOfRoundsTheyNeverRan() throws Exception {
        RunSeries series = new RunSeries("push-2");
        long[] bytes = {3_000_000L, 5_000_000L};
        long[] brokerPeak = {200_000_000L, 240_000_000L};
        for (int k = 0; k < 2; k++) {
            RunReport report = new RunReport("push-2", Map.of());
            report.section("push", Map.of("seconds", 2.0 + k, "bytesDown", bytes[k]));
            report.section("broker", Map.of("peakRssBytes", brokerPeak[k]));
            series.add(k, report, 10.0);
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        series.write(dir, new PrintStream(console, true, StandardCharsets.UTF_8));

        JsonNode run = new ObjectMapper().readTree(dir.resolve("runs.json").toFile()).get("runs").get(1);
        assertThat(run.get("pushBytesDown").asLong()).isEqualTo(5_000_000L);
        assertThat(run.has("bytesTotal")).as("a push run's bytes are its push's, not a total of rounds").isFalse();
        assertThat(run.has("meanAccuracyLast5")).isFalse();
        assertThat(series.stats().get("pushBytesDown").median()).isEqualTo(4_000_000.0);
        // megabytes of 10^6 bytes, as runs.json and compare count them: 240,000,000 B is 240 MB, not 229 MiB
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("push 2.500 (2.000-3.000) s | broker peak RSS 220 (200-240) MB")
                .contains("240 MB");
    }

    @Test
    void trainingRuns_keepTheirRoundNumbers() throws Exception {
        RunSeries series = new RunSeries("train-1");
        RunReport report = new RunReport("train-1", Map.of());
        report.add(new RoundRow(1, 0.5, 1.0, 0.3, 10, 0, 1_000_000, 500_000));
        series.add(7, report, 1.0);

        series.write(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        JsonNode run = new ObjectMapper().readTree(dir.resolve("runs.json").toFile()).get("runs").get(0);
        assertThat(run.get("bytesTotal").asLong()).isEqualTo(1_500_000L);
        assertThat(run.get("meanAccuracyLast5").asDouble()).isEqualTo(0.5);
        assertThat(run.has("pushBytesDown")).isFalse();
    }
}
