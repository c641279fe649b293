package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.mqtt.EmbeddedBroker;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.data.ByteDataset;
import io.flock.core.net.FreePorts;
import io.flock.proto.v1.UploadReceipt;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A coordinator restarted mid-round on the same H2 file keeps the updates it accepted and finishes the round. */
@Timeout(150)
class CoordinatorRestartIT {
    @TempDir
    Path dir;

    @Test
    void restartMidRound_keepsAcceptedUpdates_andFinishesTheRound() throws Exception {
        String model = Fixtures.unique("restart-");
        try (EmbeddedBroker broker = new EmbeddedBroker(dir.resolve("broker"), 0);
             LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c)) {
            broker.start();
            CoordinatorConfig config = Fixtures.coordinator(dir.resolve("c"), broker.url(), model, 3,
                    Map.of("security.mode", "insecure", "grpc.port", String.valueOf(FreePorts.restartable()), "round.timeout", "8s"));
            CoordinatorServer first = fleet.startCoordinator(config);
            List<ByteDataset> data = new ArrayList<>(Fixtures.partitions(2, 300));
            data.add(null); // the third device never trains: the round stays open with two of three updates
            fleet.startAgents(data, broker.url(), config.grpc().port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            AtomicReference<Throwable> interrupted = new AtomicReference<>();
            Thread roundThread = new Thread(() -> {
                try {
                    first.rounds().runRound();
                } catch (Throwable t) {
                    interrupted.set(t);
                }
            });
            roundThread.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> first.rounds().acceptedInOpenRound() == 2);

            roundThread.interrupt();
            roundThread.join(10_000);
            CoordinatorServer second = fleet.restartCoordinator();

            assertThat(interrupted.get()).isInstanceOf(InterruptedException.class);
            assertThat(second.rounds().acceptedInOpenRound()).as("accepted updates survive the restart").isEqualTo(2);
            String third = fleet.agents().get(2).config().deviceId();
            var global = second.registry().globalParameters(second.registry().requireCurrent(model));
            try (RawDevice raw = new RawDevice(config.grpc().port())) {
                UploadReceipt r = raw.upload(RawDevice.header(model, third, 1, 1, 10).build(), RawDevice.filled(global, 0f));
                assertThat(r.getAcceptedInRound()).isEqualTo(3);
            }
            RoundResult result = second.rounds().runRound();
            assertThat(result.round()).isEqualTo(1);
            assertThat(result.resumed()).isTrue();
            assertThat(result.accepted()).isEqualTo(3);
            assertThat(result.version()).isEqualTo(2);
            fleet.awaitReady(2, Duration.ofSeconds(30));
            RoundResult next = second.rounds().runRound();
            assertThat(next.round()).as("numbering continues").isEqualTo(2);
            assertThat(next.failures()).as("the dataless device is a straggler; the deadline closes the round").isEqualTo(1);
            assertThat(next.accepted()).isEqualTo(2);
        }
    }
}
