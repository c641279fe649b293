package io.flock.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.agent.link.WireTap;
import io.flock.core.config.ConfigException;
import io.flock.simulator.report.RoundRow;
import io.flock.simulator.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios run end to end on real agents, broker and coordinator, with faults, and repeat under the same seed. */
@Timeout(300)
class ScenarioIT {
    @TempDir
    Path dir;

    private RunReport run(ScenarioConfig s, String out) throws Exception {
        return new Simulation(s, new PrintStream(PrintStream.nullOutputStream())).run(dir.resolve(out), dir.resolve(out + "-work"), WireTap.NONE);
    }

    @Test
    void smoke20_brokerRestart_finishesWithValidReportAndRecoveryTime() throws Exception {
        RunReport report = run(ScenarioLoader.named("smoke-20"), "smoke");

        assertThat(report.rounds()).hasSize(3).allSatisfy(r -> assertThat(r.participants()).isEqualTo(10));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("smoke/report.json").toFile());
        assertThat(json.get("scenario").asText()).isEqualTo("smoke-20");
        assertThat(json.get("config").get("devices").asInt()).isEqualTo(20);
        assertThat(json.get("rounds")).hasSize(3);
        assertThat(json.get("rounds").get(0).get("bytesUp").asLong()).isGreaterThan(10 * 200_000L);
        assertThat(json.get("summary").get("finalAccuracy").asDouble()).isGreaterThan(0.6);
        JsonNode fault = json.get("faults").get(0);
        assertThat(fault.get("kind").asText()).isEqualTo("broker-restart");
        assertThat(fault.get("recoverySeconds").asDouble()).isPositive();
        for (String png : List.of("accuracy.png", "bytes.png", "round-time.png", "participation.png")) {
            assertThat(Files.size(dir.resolve("smoke").resolve(png))).isGreaterThan(1000);
        }
    }

    @Test
    void pushWorkload_timesEachPushToEveryAgent_countsOneArtifactPerAgent_runsNoTrainingRounds() throws Exception {
        ScenarioConfig s = ScenarioLoader.parse("""
                dataset: bundled
                devices: 12
                devicesPerRound: 1
                rounds: 2
                workload: push
                model: mlp:784-64-10
                codecs: {push: int8, update: fp32}
                broker: own-process
                """, "push-12");

        RunReport report = run(s, "push");

        assertThat(report.rounds()).as("pushes are not training rounds").isEmpty();
        JsonNode push = new ObjectMapper().readTree(dir.resolve("push/report.json").toFile()).get("push");
        assertThat(push.get("agents").asInt()).isEqualTo(12);
        assertThat(push.get("warmup")).hasSize(2);
        assertThat(push.get("pushes")).hasSize(2);
        long artifact = push.get("artifactBytes").asLong();
        for (JsonNode one : push.get("pushes")) {
            assertThat(one.get("seconds").asDouble()).isPositive();
            assertThat(one.get("bytesDown").asLong()).as("one artifact per agent, plus announcements and framing")
                    .isBetween(12 * artifact, 12 * artifact + 12 * 4_000L);
        }
        assertThat(push.get("compressionRatio").asDouble()).isGreaterThan(3.9);
        assertThat(push.get("seconds").asDouble()).isBetween(push.get("secondsMin").asDouble(), push.get("secondsMax").asDouble());
        assertThat(Files.size(dir.resolve("push/push-time.png"))).isGreaterThan(1000);
        // W4 measures the broker's memory: its own JVM, read while it ran, gone with the run
        JsonNode broker = new ObjectMapper().readTree(dir.resolve("push/report.json").toFile()).get("broker");
        assertThat(broker.get("placement").asText()).isEqualTo("own-process");
        long pid = broker.get("pid").asLong();
        assertThat(pid).isPositive().isNotEqualTo(ProcessHandle.current().pid());
        assertThat(broker.get("peakRssBytes").asLong()).isGreaterThan(32L << 20).isGreaterThanOrEqualTo(broker.get("rssBytes").asLong());
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("the broker process ends with its run").isEmpty();
    }

    @Test
    void leavingDevicesAndCoordinatorRestart_failuresCountedDeadlineCloses_acceptedUpdatesKept() throws Exception {
        ScenarioConfig s = ScenarioLoader.parse("""
                dataset: bundled
                devices: 8
                devicesPerRound: 8
                rounds: 3
                model: mlp:784-32-10
                roundTimeout: 3s
                deviceProfiles:
                  - {name: flaky, share: 0.5, dropoutProbability: 0.5}
                  - {name: solid, share: 0.5, computeFactor: 2, uplinkMbps: 20, latencyMs: 10}
                faults:
                  - {round: 2, kind: drop-devices, fraction: 0.25}
                  - {round: 3, kind: coordinator-restart}
                seed: 3
                """, "faulty");

        RunReport report = run(s, "faulty");

        List<RoundRow> rows = report.rounds();
        assertThat(rows).hasSize(3);
        assertThat(rows.stream().mapToInt(RoundRow::failures).sum()).as("dropouts and leavers are failures").isPositive();
        RoundRow dropped = rows.get(1);
        assertThat(dropped.participants() + dropped.failures()).isEqualTo(8);
        // a round with a dropout or a leaver waits out its deadline (they never answer), here every round: 3 s (was 6 s) is
        // ample for the others to upload (0.1-0.4 s), and the check is the same: the round closes at its deadline, not
        // before it and not never (the bounds keep their 0.5 s and 14 s margins around it)
        assertThat(dropped.seconds()).as("a round with missing devices closes by its deadline").isBetween(2.5, 17.0);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("faulty/report.json").toFile());
        JsonNode restart = json.get("faults").get(1);
        assertThat(restart.get("kind").asText()).isEqualTo("coordinator-restart");
        // the old coordinator accepts uploads until its server has stopped: none of them may be lost
        int before = restart.get("acceptedWhenStopBegan").asInt();
        assertThat(restart.get("acceptedAfterRestart").asInt()).isGreaterThanOrEqualTo(before);
        assertThat(rows.get(2).participants()).isGreaterThanOrEqualTo(restart.get("acceptedAfterRestart").asInt());
    }

    @Test
    void gatewayTransport_sharedSessionsSurviveBrokerRestart_pushCrossesOncePerGateway() throws Exception {
        String yaml = """
                dataset: bundled
                devices: 24
                devicesPerRound: 8
                rounds: 3
                model: mlp:784-32-10
                roundTimeout: 20s
                deviceProfiles:
                  - {name: steady, share: 0.75}
                  - {name: blinking, share: 0.25, availability: 0.5}
                faults:
                  - {round: 2, kind: broker-restart}
                seed: 5
                """;
        // the gateway run's broker is a process of its own: its restart is a new process on the same port
        RunReport gateway = run(ScenarioLoader.parse(yaml + "transport: {mode: gateway, devicesPerGateway: 6}\nbroker: own-process\n",
                "gw"), "gw");
        RunReport dedicated = run(ScenarioLoader.parse(yaml, "dedicated"), "dedicated");

        assertThat(gateway.rounds()).hasSize(3).allSatisfy(r -> assertThat(r.participants()).isEqualTo(8));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("gw/report.json").toFile());
        assertThat(json.get("config").get("transport").get("devicesPerGateway").asInt()).isEqualTo(6);
        assertThat(json.get("faults").get(0).get("recoverySeconds").asDouble()).isPositive();
        assertThat(json.get("broker").get("placement").asText()).isEqualTo("own-process");
        // every version is broadcast: 4 gateway sessions receive it instead of ~20 online devices
        long gatewayDown = gateway.rounds().get(2).bytesDown();
        long dedicatedDown = dedicated.rounds().get(2).bytesDown();
        assertThat(gatewayDown).isPositive().isLessThan(dedicatedDown / 3);
        assertThat(gateway.rounds().get(2).bytesUp()).isCloseTo(dedicated.rounds().get(2).bytesUp(),
                org.assertj.core.data.Percentage.withPercentage(10));
    }

    @Test
    void sameSeed_sameSelectionsAndPartitions_aWarmupRunChangesNothingMeasured_warmingUpStopsWhenTheJitIsQuiet() throws Exception {
        String yaml = "dataset: bundled\ndevices: 6\ndevicesPerRound: 3\nrounds: 2\nmodel: mlp:784-16-10\nseed: 11\n"
                + "partition: {kind: dirichlet, alpha: 0.5, seed: 11}\n";
        RunReport a = run(ScenarioLoader.parse(yaml, "a"), "a");
        // the JIT cannot take 99 % of a run's CPU, so the first warm-up run is warm enough and the other two never run
        RunReport b = run(ScenarioLoader.parse(yaml + "warmupRuns: 3\nwarmupJitShare: 0.99\n", "b"), "b");

        Map<String, Object> selA = a.selection();
        assertThat(selA).hasSize(2).isEqualTo(b.selection());
        assertThat(b.rounds()).hasSize(2);
        JsonNode warmup = new ObjectMapper().readTree(dir.resolve("b/report.json").toFile()).get("warmup");
        assertThat(warmup).hasSize(1);
        assertThat(warmup.get(0).get("seconds").asDouble()).isPositive();
        assertThat(warmup.get(0).get("medianRoundSeconds").asDouble()).isPositive();
        assertThat(warmup.get(0).get("cpuSeconds").asDouble()).isGreaterThan(warmup.get(0).get("jitSeconds").asDouble());
        assertThat(new ObjectMapper().readTree(dir.resolve("a/report.json").toFile()).has("warmup")).isFalse();
        for (int r = 0; r < 2; r++) {
            assertThat(a.rounds().get(r).accuracy()).isCloseTo(b.rounds().get(r).accuracy(), org.assertj.core.data.Offset.offset(0.02));
        }
    }

    @Test
    void severalRuns_runKTakesSeedPlusKMinusOne_onTheSamePartition_comparedInRunsJson() throws Exception {
        String yaml = "dataset: bundled\ndevices: 6\ndevicesPerRound: 3\nrounds: 2\nmodel: mlp:784-16-10\n"
                + "partition: {kind: dirichlet, alpha: 0.5, seed: 11}\n";
        List<RunReport> runs = new Simulation(ScenarioLoader.parse(yaml + "seed: 11\n", "s"), new PrintStream(PrintStream.nullOutputStream()))
                .run(dir.resolve("series"), dir.resolve("series-work"), WireTap.NONE, 2);
        RunReport alone = run(ScenarioLoader.parse(yaml + "seed: 12\n", "s"), "alone");

        assertThat(runs).hasSize(2);
        assertThat(runs.get(1).selection()).as("run 2 is the run seed 12 on partition seed 11").isEqualTo(alone.selection());
        assertThat(runs.get(0).selection()).isNotEqualTo(runs.get(1).selection());
        JsonNode json = new ObjectMapper().readTree(dir.resolve("series/runs.json").toFile());
        assertThat(json.get("runs")).hasSize(2);
        assertThat(json.get("runs").get(0).get("seed").asLong()).isEqualTo(11);
        assertThat(json.get("runs").get(1).get("seed").asLong()).isEqualTo(12);
        JsonNode acc = json.get("stats").get("meanAccuracyLast5");
        double a1 = runs.get(0).summary(1).get("meanAccuracyLast5") instanceof Number n ? n.doubleValue() : Double.NaN;
        double a2 = runs.get(1).summary(1).get("meanAccuracyLast5") instanceof Number n ? n.doubleValue() : Double.NaN;
        assertThat(acc.get("min").asDouble()).isEqualTo(Math.min(a1, a2));
        assertThat(acc.get("max").asDouble()).isEqualTo(Math.max(a1, a2));
        assertThat(acc.get("median").asDouble()).isCloseTo((a1 + a2) / 2, org.assertj.core.data.Offset.offset(1e-9));
        for (String file : List.of("run-1/report.json", "run-2/report.json", "run-2/accuracy.png", "runs-accuracy.png")) {
            assertThat(Files.size(dir.resolve("series").resolve(file))).as(file).isGreaterThan(100);
        }
        assertThat(Files.exists(dir.resolve("series/report.json"))).as("several runs write no top-level report").isFalse();
    }

    @Test
    void runsOutOfRange_failFastNamingTheOption() {
        Simulation sim = new Simulation(ScenarioLoader.named("smoke-20"), new PrintStream(PrintStream.nullOutputStream()));
        for (int runs : new int[] {0, -1, Simulation.MAX_RUNS + 1}) {
            assertThatThrownBy(() -> sim.run(dir.resolve("x"), dir.resolve("x-work"), WireTap.NONE, runs))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("--runs").hasMessageContaining(String.valueOf(runs));
        }
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }
}
