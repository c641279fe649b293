package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.mqtt.EmbeddedBroker;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.data.ByteDataset;
import io.flock.core.net.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The broker vanishes between rounds and comes back empty: everyone reconnects and the next round and push work.
 *
 * <p>Its tests run side by side (each {@code @Execution(CONCURRENT)}; the class itself runs as every other does, alone):
 * each has its own broker on its own port, coordinator, database, fleet and model name, and spends most of its time
 * waiting, for an outage to last longer than a publish once waited (15 s) or for a push to give up (15 s), then for the
 * agents' reconnect backoff (their attempts come 15.5 and 30.5 s into an outage); one after the other they took 85 s of
 * mostly idle time.
 */
@Timeout(150)
class BrokerRestartIT {
    @TempDir
    Path dir;

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void brokerRestart_agentsAndCoordinatorReconnect_nextRoundCompletes() throws Exception {
        String model = Fixtures.unique("broker-");
        int port = FreePorts.restartable();
        EmbeddedBroker broker = new EmbeddedBroker(dir.resolve("b1"), port);
        broker.start();
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c)) {
            CoordinatorConfig config = Fixtures.coordinator(dir.resolve("c"), broker.url(), model, 2, Map.of());
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            fleet.startAgents(Fixtures.partitions(2, 300), broker.url(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            assertThat(coordinator.rounds().runRound().accepted()).isEqualTo(2);

            broker.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().stream().noneMatch(EdgeAgent::mqttConnected));
            broker = new EmbeddedBroker(dir.resolve("b2"), port);
            broker.start();
            await().atMost(Duration.ofSeconds(40)).until(() -> fleet.agents().stream().allMatch(EdgeAgent::mqttConnected));
            // an agent's "online" status reaches the coordinator a few ms after its client reconnects
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.devices().available().size() == 2);

            RoundResult second = coordinator.rounds().runRound();
            assertThat(second.round()).isEqualTo(2);
            assertThat(second.accepted()).isEqualTo(2);
            fleet.awaitReady(3, Duration.ofSeconds(30));
        } finally {
            broker.close();
        }
    }

    /**
     * The broker is down when a round closes: the version is stored and the round closed (not left open), and once
     * the broker is back the coordinator announces that newest version, which the agents load.
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void brokerDownAcrossARoundsClose_noRoundLost_newestVersionAnnouncedOnReconnect() throws Exception {
        String model = Fixtures.unique("outage-");
        int port = FreePorts.restartable();
        EmbeddedBroker broker = new EmbeddedBroker(dir.resolve("o1"), port);
        broker.start();
        try (LocalFleet fleet = new LocalFleet(dir.resolve("f"), WireTap.NONE, (id, c) -> c)) {
            CoordinatorConfig config = Fixtures.coordinator(dir.resolve("oc"), broker.url(), model, 3,
                    Map.of("round.min-results", "3", "round.timeout", "6s"));
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            List<ByteDataset> data = new ArrayList<>(Fixtures.partitions(2, 300));
            data.add(null); // a straggler: the round runs to its deadline with two updates
            fleet.startAgents(data, broker.url(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            var round = roundInBackground(coordinator);
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.rounds().acceptedInOpenRound() == 2);
            broker.close(); // down before the deadline closes the round

            RoundResult closed = round.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(closed.accepted()).isEqualTo(2);
            assertThat(closed.version()).isEqualTo(2);
            assertThat(coordinator.store().openRound(model)).as("the round is closed, not left open").isEmpty();
            assertThat(coordinator.registry().requireCurrent(model).version()).isEqualTo(2);

            broker = new EmbeddedBroker(dir.resolve("o2"), port);
            broker.start();
            fleet.awaitReady(2, Duration.ofSeconds(60)); // every agent loads the version announced after the reconnect
        } finally {
            broker.close();
        }
    }

    /** Tasks of a round opened while the broker is down are held and sent, retained, when it is back: the round completes. */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void roundOpenedDuringAnOutage_tasksSentOnReconnect_roundCompletes() throws Exception {
        String model = Fixtures.unique("held-");
        int port = FreePorts.restartable();
        EmbeddedBroker broker = new EmbeddedBroker(dir.resolve("h1"), port);
        broker.start();
        try (LocalFleet fleet = new LocalFleet(dir.resolve("hf"), WireTap.NONE, (id, c) -> c)) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("hc"), broker.url(), model, 2,
                    Map.of("round.timeout", "60s")));
            fleet.startAgents(Fixtures.partitions(2, 300), broker.url(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            assertThat(coordinator.rounds().runRound().accepted()).isEqualTo(2);

            broker.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> !coordinator.mqttConnected());
            var round = roundInBackground(coordinator);
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.rounds().acceptedInOpenRound() == 0);
            Thread.sleep(16_000); // longer than a publish used to wait for the broker (15 s) before giving the device up
            broker = new EmbeddedBroker(dir.resolve("h2"), port);
            broker.start();

            RoundResult second = round.get(60, TimeUnit.SECONDS);
            assertThat(second.round()).isEqualTo(2);
            // a broker that shuts down may publish some devices' last will first: the round asks those it still saw online
            assertThat(second.selected()).isPositive();
            assertThat(second.accepted()).as("every device asked got its held task and answered").isEqualTo(second.selected());
        } finally {
            broker.close();
        }
    }

    /** Runs one round on another thread, so the test can stop and start the broker while it is open. */
    private static CompletableFuture<RoundResult> roundInBackground(CoordinatorServer coordinator) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return coordinator.rounds().runRound();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
