package io.flock.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.core.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunComparisonTest {
    @TempDir
    Path dir;

    private Path runs(String name, String runs) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("runs.json"), "{\"scenario\":\"" + name + "\",\"runs\":[" + runs + "]}");
        return d;
    }

    @Test
    void of_pairsBySeed_differencesPerSeedNotOfMedians() throws Exception {
        // baseline seeds 0,1,2 (and 7, which the candidate lacks); candidate seeds 2,1,0 (and 5)
        Path base = runs("base", "{\"seed\":0,\"meanAccuracyLast5\":0.60,\"medianRoundSeconds\":1.0},"
                + "{\"seed\":1,\"meanAccuracyLast5\":0.70,\"medianRoundSeconds\":1.0},"
                + "{\"seed\":2,\"meanAccuracyLast5\":0.80,\"medianRoundSeconds\":1.0},"
                + "{\"seed\":7,\"meanAccuracyLast5\":0.10,\"medianRoundSeconds\":9.0}");
        Path cand = runs("cand", "{\"seed\":2,\"meanAccuracyLast5\":0.79,\"medianRoundSeconds\":0.5},"
                + "{\"seed\":1,\"meanAccuracyLast5\":0.73,\"medianRoundSeconds\":0.25},"
                + "{\"seed\":0,\"meanAccuracyLast5\":0.58,\"medianRoundSeconds\":null},"
                + "{\"seed\":5,\"meanAccuracyLast5\":0.99}");

        RunComparison c = RunComparison.of(base, cand.resolve("runs.json"));

        assertThat(c.seeds()).containsExactly(0L, 1L, 2L);
        RunComparison.Paired acc = c.paired().get("meanAccuracyLast5");
        assertThat(acc.baseline()).containsExactly(0.60, 0.70, 0.80);
        assertThat(acc.candidate()).containsExactly(0.58, 0.73, 0.79);
        // differences -0.02, +0.03, -0.01: median -0.01, min -0.02, max +0.03, mean 0
        assertThat(acc.difference().median()).isCloseTo(-0.01, within(1e-12));
        assertThat(acc.difference().min()).isCloseTo(-0.02, within(1e-12));
        assertThat(acc.difference().max()).isCloseTo(0.03, within(1e-12));
        assertThat(acc.meanDifference()).isCloseTo(0.0, within(1e-12));
        // a number missing (null) for one paired run is not compared at all
        assertThat(c.paired()).doesNotContainKey("medianRoundSeconds");
    }

    @Test
    void printAndWrite_nameBothSeriesAndEveryComparedNumber() throws Exception {
        Path base = runs("base", "{\"seed\":3,\"meanAccuracyLast5\":0.5,\"bytesTotal\":2000000}");
        Path cand = runs("cand", "{\"seed\":3,\"meanAccuracyLast5\":0.6,\"bytesTotal\":1000000}");
        RunComparison c = RunComparison.of(base, cand);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();

        c.print(new PrintStream(buf, true, StandardCharsets.UTF_8));
        c.write(dir.resolve("compare.json"));

        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("cand (candidate) against base (baseline), paired on 1 run seeds [3]");
        assertThat(text).containsPattern("meanAccuracyLast5 +0\\.5000 +0\\.6000 +\\+0\\.1000");
        assertThat(text).containsPattern("bytesTotal +2\\.0 +1\\.0 +-1\\.0 .* MB");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("compare.json").toFile());
        assertThat(json.get("numbers").get("bytesTotal").get("differenceMean").asDouble()).isEqualTo(-1_000_000.0);
        assertThat(json.get("seeds").get(0).asLong()).isEqualTo(3);
    }

    @Test
    void of_badInput_failsNamingTheProblem() throws Exception {
        Path ok = runs("ok", "{\"seed\":0,\"meanAccuracyLast5\":0.5}");
        Path other = runs("other", "{\"seed\":1,\"meanAccuracyLast5\":0.5}");
        Path twice = runs("twice", "{\"seed\":0},{\"seed\":0}");
        Path noSeed = runs("noseed", "{\"meanAccuracyLast5\":0.5}");
        Path notRuns = Files.writeString(dir.resolve("report.json"), "{\"rounds\":[]}");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"runs\":[");

        assertThatThrownBy(() -> RunComparison.of(dir.resolve("absent"), ok)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no runs.json at");
        assertThatThrownBy(() -> RunComparison.of(ok, other)).hasMessageContaining("share no run seed: baseline [0], candidate [1]");
        assertThatThrownBy(() -> RunComparison.of(ok, twice)).hasMessageContaining("seed 0 appears twice");
        assertThatThrownBy(() -> RunComparison.of(noSeed, ok)).hasMessageContaining("no integer 'seed'");
        assertThatThrownBy(() -> RunComparison.of(ok, notRuns)).hasMessageContaining("has no 'runs' array");
        assertThatThrownBy(() -> RunComparison.of(broken, ok)).hasMessageContaining("is not valid JSON");
    }
}
