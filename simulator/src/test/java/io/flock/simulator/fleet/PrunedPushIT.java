package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.compress.Pruning;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pruned variant pushed over MQTT (embedded broker): agents verify and load it, train only its kept weights,
 * and after a round the new global model and what the agents load have exactly the same zeros.
 */
@Timeout(120)
class PrunedPushIT {
    @TempDir
    Path dir;

    @Test
    void aPrunedPush_isLoadedAndTrained_andItsMaskSurvivesTheRound() throws Exception {
        String model = Fixtures.unique("pruned-");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c)) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 2,
                    Map.of("push.codec", "prune:0.9+int8", "registry.variants", "fp32")));
            fleet.startAgents(Fixtures.partitions(2, 300), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            ModelVersion first = coordinator.registry().requireCurrent(model);
            assertThat(first.manifest().codec()).as("the signed manifest names every step").isEqualTo("prune:0.9+int8");
            long fp32 = first.variants().stream().filter(v -> v.codec().equals("fp32")).findFirst().orElseThrow().manifest().sizeBytes();
            assertThat((double) fp32 / first.manifest().sizeBytes()).as("pushed bytes against fp32").isGreaterThan(15);
            ModelParameters mask = coordinator.registry().globalParameters(first);
            assertThat(Pruning.sparsity(mask)).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-4));
            for (EdgeAgent a : fleet.agents()) {
                assertZerosMatch(a.localModel().current().orElseThrow().parameters(), mask);
            }

            RoundResult round = coordinator.rounds().runRound();
            assertThat(round.accepted()).isEqualTo(2);
            fleet.awaitReady(round.version(), Duration.ofSeconds(30));

            ModelParameters next = coordinator.registry().globalParameters(coordinator.registry().requireVersion(model, round.version()));
            assertZerosMatch(next, mask);
            assertThat(next.tensors().get(0).data()).as("the kept weights trained").isNotEqualTo(mask.tensors().get(0).data());
            for (EdgeAgent a : fleet.agents()) {
                assertZerosMatch(a.localModel().current().orElseThrow().parameters(), mask);
            }
        }
    }

    /** Every weight tensor is zero exactly where the mask is. */
    private static void assertZerosMatch(ModelParameters p, ModelParameters mask) {
        for (int i = 0; i < mask.tensors().size(); i++) {
            Tensor m = mask.tensors().get(i);
            if (m.shape().length < 2) {
                continue;
            }
            float[] x = p.tensors().get(i).data();
            for (int j = 0; j < x.length; j++) {
                assertThat(x[j] == 0f).as("%s[%d] zero in the mask: %s", m.name(), j, m.data()[j] == 0f).isEqualTo(m.data()[j] == 0f);
            }
        }
    }
}
