package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(180)
class FederatedRoundsIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "broker={0}")
    @ValueSource(strings = {"embedded", "mosquitto"})
    void twoRounds_threeAgents_accuracyRisesAndEveryAgentRunsTheNewVersion(String broker) throws Exception {
        String model = Fixtures.unique("fmnist-");
        String url = broker.equals("embedded") ? "" : Fixtures.MOSQUITTO;
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c).devicePrefix(Fixtures.unique("it") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), url, model, 3, Map.of()));
            double initial = coordinator.registry().requireCurrent(model).accuracy();
            fleet.startAgents(Fixtures.partitions(3, 600), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));

            RoundResult first = coordinator.rounds().runRound();
            // a certificate renewal between rounds: the agent asks over its current certificate, then calls on a new
            // connection with the new one, and its update in the next round is accepted
            assertThat(fleet.agents().get(0).enrollment().renew(Duration.ofSeconds(10))).as("renewed").isTrue();
            RoundResult second = coordinator.rounds().runRound();
            fleet.awaitReady(3, Duration.ofSeconds(30));

            assertThat(first.round()).isEqualTo(1);
            assertThat(second.round()).isEqualTo(2);
            assertThat(second.version()).isEqualTo(3);
            assertThat(first.accepted()).isEqualTo(3);
            assertThat(second.accepted()).isEqualTo(3);
            assertThat(second.failures()).isZero();
            assertThat(initial).isLessThan(0.3);
            assertThat(first.accuracy()).isGreaterThan(initial + 0.2);
            assertThat(second.accuracy()).isGreaterThan(0.6);
            // scored in the background; once the result has the scores, the stored version has them too
            assertThat(coordinator.registry().requireCurrent(model).accuracy()).isEqualTo(second.accuracy());
            for (EdgeAgent a : fleet.agents()) {
                assertThat(a.localModel().version()).isEqualTo(3);
                assertThat(a.lastRejection()).isEmpty();
            }
            assertThat(fleet.bytesUp()).isGreaterThan(6L * 4 * 50_000);   // 6 fp32 deltas of 50,890 floats
            String first0 = fleet.agents().get(0).config().deviceId();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(coordinator.devices().runningVersion(first0)).as("reported by heartbeat").isEqualTo(3));
        }
    }
}
