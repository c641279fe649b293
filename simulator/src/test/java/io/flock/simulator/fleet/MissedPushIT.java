package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.AgentConfig;
import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.artifact.ArtifactVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A device that was offline during a push serves its last good model at once, then gets the current version. */
@Timeout(120)
class MissedPushIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "broker={0}")
    @ValueSource(strings = {"embedded", "mosquitto"})
    void agentOfflineDuringPush_restoresFromDiskThenLoadsCurrentVersion(String broker) throws Exception {
        String model = Fixtures.unique("missed-");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c).devicePrefix(Fixtures.unique("mp") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"),
                    broker.equals("embedded") ? "" : Fixtures.MOSQUITTO, model, 1, Map.of()));
            fleet.startAgents(Fixtures.partitions(2, 300), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            EdgeAgent sleeper = fleet.agents().get(1);
            AgentConfig config = sleeper.config();
            sleeper.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.devices().available().size() == 1);

            RoundResult r = coordinator.rounds().runRound();
            assertThat(r.version()).isEqualTo(2);
            assertThat(r.accepted()).isEqualTo(1);

            try (EdgeAgent woken = new EdgeAgent(config, new ArtifactVerifier(coordinator.publicKey()), WireTap.NONE,
                    io.flock.agent.DeviceConditions.REAL, null, fleet.identity(config.deviceId()))) {
                woken.start();
                assertThat(woken.restoredVersion()).as("last good model restored from disk").isEqualTo(1);
                await().atMost(Duration.ofSeconds(20)).until(() -> woken.localModel().version() == 2);
                assertThat(woken.lastRejection()).isEmpty();
            }
        }
    }
}
