package io.flock.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.agent.link.WireTap;
import io.flock.simulator.report.RoundRow;
import io.flock.simulator.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A byzantine device runs the real agent with a test-only tamper: its update crosses the real transports, passes the
 * coordinator's intake and goes into FedAvg like any other, and the aggregate shows it.
 */
@Timeout(300)
class AttackIT {
    private static final String FLEET = """
            dataset: bundled
            devices: 6
            devicesPerRound: 6
            rounds: 2
            model: mlp:784-32-10
            training: {learningRate: 0.05, batchSize: 10, localEpochs: 1}
            roundTimeout: 10s
            seed: 1
            """;
    @TempDir
    Path dir;

    private RunReport run(String yaml, String name) throws Exception {
        return new Simulation(ScenarioLoader.parse(yaml, name), new PrintStream(PrintStream.nullOutputStream()))
                .run(dir.resolve(name), dir.resolve(name + "-work"), WireTap.NONE);
    }

    @Test
    void oneSignFlipperTimesTen_fedAvgTakesItsUpdate_andTheModelCollapsesAgainstTheHonestRun() throws Exception {
        RunReport honest = run(FLEET, "honest");
        RunReport attacked = run(FLEET + """
                deviceProfiles:
                  - {name: honest, share: 0.8333333333}
                  - {name: flipper, share: 0.1666666667, attack: {kind: sign-flip, factor: 10}}
                """, "attacked");

        assertThat(honest.rounds()).hasSize(2).allSatisfy(r -> assertThat(r.participants()).isEqualTo(6));
        assertThat(attacked.rounds().get(0).participants()).as("the flipper's update is accepted like the others").isEqualTo(6);
        double clean = honest.rounds().get(1).accuracy();
        assertThat(clean).isGreaterThan(0.6);
        assertThat(attacked.rounds()).allSatisfy(r -> assertThat(r.accuracy()).isLessThan(clean - 0.3));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("attacked/report.json").toFile());
        JsonNode attackers = json.get("attackers");
        assertThat(attackers.get("devices").asInt()).isEqualTo(1);
        assertThat(attackers.get("deviceIds")).hasSize(1);
        assertThat(attackers.get("profiles").get(0).get("attack").get("kind").asText()).isEqualTo("sign-flip");
        assertThat(attackers.get("profiles").get(0).get("attack").get("factor").asDouble()).isEqualTo(10.0);
        assertThat(attackers.get("selectedPerRound").get("1").asInt()).isEqualTo(1);
        assertThat(json.get("config").get("deviceProfiles").get(1).get("attack").get("kind").asText()).isEqualTo("sign-flip");
        assertThat(new ObjectMapper().readTree(dir.resolve("honest/report.json").toFile()).has("attackers"))
                .as("an honest fleet's report has no attackers section").isFalse();
        assertThat(attacked.rounds().stream().mapToDouble(RoundRow::accuracy).max().orElseThrow()).isLessThan(clean);
    }

    @Test
    void everyDeviceFlipsLabels_theFleetLearnsTheReversedLabels_fromDataThatNeverLeftTheDevices() throws Exception {
        RunReport flipped = run(FLEET + "deviceProfiles:\n  - {name: flippers, share: 1, attack: {kind: label-flip}}\n", "flipped");

        // label -> 9 - label on every device: the model learns the mirror classes, so it scores below chance on the true ones
        assertThat(flipped.rounds()).hasSize(2).allSatisfy(r -> assertThat(r.participants()).isEqualTo(6));
        assertThat(flipped.rounds().get(1).accuracy()).isLessThan(0.05);
        JsonNode attackers = new ObjectMapper().readTree(dir.resolve("flipped/report.json").toFile()).get("attackers");
        assertThat(attackers.get("devices").asInt()).isEqualTo(6);
        assertThat(attackers.get("profiles").get(0).get("attack").get("mapping").asText()).isEqualTo("reverse");
    }

    @Test
    void oneSignFlipperTimesTen_multiKrumLeavesItOut_andTheModelLearnsAsTheHonestFleetDoes() throws Exception {
        String krum = "coordinator: {strategy.aggregator: multi-krum, strategy.krum-f: 1}\n";
        RunReport honest = run(FLEET + krum, "krum-honest");
        RunReport attacked = run(FLEET + krum + """
                deviceProfiles:
                  - {name: honest, share: 0.8333333333}
                  - {name: flipper, share: 0.1666666667, attack: {kind: sign-flip, factor: 10}}
                """, "krum-attacked");

        // multi-Krum (f = 1, m = K - f = 5) scores each update by its distance to its nearest neighbours: the flipped,
        // ten-times update is the farthest from the rest and is the one left out, every round
        assertThat(attacked.rounds()).hasSize(2).allSatisfy(r -> assertThat(r.participants()).isEqualTo(6));
        double clean = honest.rounds().get(1).accuracy();
        assertThat(clean).isGreaterThan(0.6);
        assertThat(attacked.rounds().get(1).accuracy()).as("within 2 points of the same rule without an attacker")
                .isGreaterThan(clean - 0.02);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("krum-attacked/report.json").toFile());
        assertThat(json.get("config").get("strategy").get("strategy.aggregator").asText()).isEqualTo("multi-krum");
    }
}
