package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.core.tensor.ModelParameters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real agents behind real gateways against a real coordinator and embedded broker, twice with the same seeds: once each
 * device uploads its own update (gateway transport), once the gateways pre-aggregate (tiered). Training is seeded, so the
 * devices compute the same deltas both times, and the version each round publishes must be the same up to float rounding.
 */
@Timeout(180)
class TieredRoundIT {
    @TempDir
    Path dir;

    private List<ModelParameters> run(Path home, boolean tiered, List<ByteDataset> parts) throws Exception {
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), Map.ofEntries(
                Map.entry("data-dir", home.resolve("c").toString()), Map.entry("grpc.port", "0"), Map.entry("mqtt.embedded-port", "0"),
                Map.entry("metrics.port", "-1"), Map.entry("http.port", "-1"), Map.entry("model.name", "tiered"),
                Map.entry("model.spec", "mlp:784-16-10"), Map.entry("round.devices", "8"), Map.entry("round.min-results", "8"),
                Map.entry("seed", "7"))));
        List<ModelParameters> versions = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger aggregates = new java.util.concurrent.atomic.AtomicInteger();
        try (LocalFleet fleet = new LocalFleet(home.resolve("fleet"), (channel, out, payload) -> {
            if (out && "grpc".equals(channel)) {
                try {
                    var chunk = io.flock.proto.v1.UpdateChunk.parseFrom(payload);
                    if (chunk.hasHeader() && chunk.getHeader().getContributionsCount() > 0) {
                        aggregates.incrementAndGet();
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException notOne) {
                    // another kind of message
                }
            }
        }, (id, c) -> c.withLocalApiPort(-1))
                .gateways(3).preAggregate(tiered)) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            fleet.startAgents(parts, coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            for (int r = 0; r < 2; r++) {
                var result = coordinator.rounds().runRound();
                assertThat(result.accepted()).as("%s round %d", tiered ? "tiered" : "flat", r + 1).isEqualTo(8);
                versions.add(coordinator.registry().globalParameters(coordinator.registry().requireCurrent("tiered")));
            }
        }
        assertThat(aggregates.get()).as("gateways' aggregated uploads, 3 gateways (3, 3 and 2 devices) x 2 rounds")
                .isEqualTo(tiered ? 6 : 0);
        return versions;
    }

    @Test
    void tieredRounds_publishTheSameVersionsAsFlatFedAvg() throws Exception {
        Path data = BundledData.subset();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        List<ByteDataset> parts = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            int[] rows = new int[20 + 10 * d]; // unequal weights: the mean is weighted
            for (int i = 0; i < rows.length; i++) {
                rows[i] = d * 100 + i;
            }
            parts.add(train.subset(rows));
        }

        List<ModelParameters> flat = run(dir.resolve("flat"), false, parts);
        List<ModelParameters> tiered = run(dir.resolve("tiered"), true, parts);

        for (int v = 0; v < flat.size(); v++) {
            for (int t = 0; t < flat.get(v).tensors().size(); t++) {
                float[] a = flat.get(v).tensors().get(t).data();
                float[] b = tiered.get(v).tensors().get(t).data();
                assertThat(b).hasSameSizeAs(a);
                for (int i = 0; i < a.length; i++) {
                    assertThat(b[i]).as("version %d tensor %d [%d]", v + 2, t, i).isCloseTo(a[i], within(1e-4f));
                }
            }
        }
        assertThat(flat.get(1).tensors().get(0).data()).as("the rounds trained something").isNotEqualTo(flat.get(0).tensors().get(0).data());
    }

    /**
     * A device behind a tiered gateway trains but never hands its delta in (an emulated crash before upload): its gateway
     * uploads the others' mean at the margin before the deadline, and the round counts every device but that one.
     */
    @Test
    void deviceDropsOut_gatewayUploadsTheOthersBeforeTheDeadline() throws Exception {
        Path data = BundledData.subset();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        List<ByteDataset> parts = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            parts.add(train.subset(new int[] {d * 10, d * 10 + 1, d * 10 + 2, d * 10 + 3}));
        }
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), Map.ofEntries(
                Map.entry("data-dir", dir.resolve("drop").toString()), Map.entry("grpc.port", "0"), Map.entry("mqtt.embedded-port", "0"),
                Map.entry("metrics.port", "-1"), Map.entry("http.port", "-1"), Map.entry("model.name", "tiered-drop"),
                Map.entry("model.spec", "mlp:784-16-10"), Map.entry("round.devices", "6"), Map.entry("round.min-results", "6"),
                Map.entry("round.timeout", "6s"))));
        io.flock.agent.DeviceConditions crashes = new io.flock.agent.DeviceConditions() {
            @Override
            public boolean dropsOut(String taskId) {
                return true;
            }
        };
        try (LocalFleet fleet = new LocalFleet(dir.resolve("drop-fleet"), (channel, out, payload) -> { }, (id, c) -> c.withLocalApiPort(-1))
                .gateways(3).preAggregate(true)) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            fleet.startAgents(parts, coordinator.mqttUrl(), coordinator.port(), i -> i == 0 ? crashes : io.flock.agent.DeviceConditions.REAL);
            fleet.awaitReady(1, Duration.ofSeconds(30));

            var result = coordinator.rounds().runRound();

            assertThat(result.accepted()).as("5 devices counted: 2 at their gateway's deadline upload, 3 when all answered").isEqualTo(5);
            assertThat(result.failures()).isEqualTo(1);
            assertThat(result.version()).as("a version was published").isEqualTo(2);
        }
    }
}
