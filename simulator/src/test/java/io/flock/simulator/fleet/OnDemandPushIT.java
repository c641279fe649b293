package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** push.mode=announce with on-demand agents: only devices that get a task fetch the new version. */
@Timeout(120)
class OnDemandPushIT {
    @TempDir
    Path dir;

    @Test
    void announceOnly_selectedDeviceFetchesAndTrains_othersKeepServingTheirModel() throws Exception {
        String model = Fixtures.unique("ondemand-");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c.withFetchOnDemand(true))) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 1,
                    Map.of("push.mode", "announce")));
            fleet.startAgents(Fixtures.partitions(3, 300), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));

            RoundResult first = coordinator.rounds().runRound();
            long down = fleet.bytesDown();
            RoundResult second = coordinator.rounds().runRound();
            long secondDown = fleet.bytesDown() - down;

            assertThat(first.accepted()).isEqualTo(1);
            assertThat(second.accepted()).as("the selected device fetched version 2 and trained on it").isEqualTo(1);
            String trainer = second.devices().get(0);
            for (EdgeAgent a : fleet.agents()) {
                if (a.config().deviceId().equals(trainer)) {
                    assertThat(a.localModel().version()).isEqualTo(2);
                } else if (!first.devices().contains(a.config().deviceId())) {
                    assertThat(a.localModel().version()).as("never selected: still serving version 1").isEqualTo(1);
                }
            }
            long artifact = coordinator.registry().requireCurrent(model).manifest().sizeBytes();
            assertThat(secondDown).as("one artifact fetched, not three pushed").isLessThan(2 * artifact);
        }
    }
}
