package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.DeviceConditions.SecureDrop;
import io.flock.agent.DeviceConditions;
import io.flock.agent.link.WireTap;
import io.flock.agent.training.UpdateTamper;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.Dataset;
import io.flock.core.partition.IidPartitioner;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure aggregation end to end: a real coordinator and 10 real agents over the embedded broker and gRPC. Each agent
 * records the update it masks (test-only tamper that changes nothing); the coordinator never sees one, yet the version
 * it publishes must be the base plus FedAvg of the updates whose masked vectors arrived.
 */
@Timeout(180)
class SecureAggregationIT {
    private static final int DEVICES = 10;
    /** Devices 2, 5 and 8 leave mid-protocol: before sharing, before sending their vector (after masking), before revealing. */
    private static final Map<Integer, SecureDrop> DROPS = Map.of(2, SecureDrop.BEFORE_SHARES, 5, SecureDrop.BEFORE_VECTOR, 8,
            SecureDrop.BEFORE_REVEAL);

    @TempDir
    Path dir;

    @Test
    void secureRound_tenAgentsThreeDroppingMidProtocol_versionIsFedAvgOfTheVectorsThatArrived() throws Exception {
        String model = Fixtures.unique("secagg-");
        Map<Integer, ModelParameters> sent = new ConcurrentHashMap<>();
        Map<Integer, Integer> examples = new ConcurrentHashMap<>();
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c).devicePrefix(Fixtures.unique("sa") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, DEVICES, Map.of(
                    "training.secure-aggregation", "true", "secagg.stage-timeout", "2s", "secagg.clip-range", "0.5")));
            ModelParameters base = coordinator.registry().globalParameters(coordinator.registry().requireCurrent(model));
            fleet.startAgents(unevenPartitions(), coordinator.mqttUrl(), coordinator.port(), i -> drop(DROPS.getOrDefault(i, SecureDrop.NONE)),
                    i -> recording(i, sent, examples));
            fleet.awaitReady(1, Duration.ofSeconds(30));

            RoundResult round = coordinator.rounds().runRound();

            assertThat(round.accepted()).as("vectors in the sum: all but the two that never sent one").isEqualTo(DEVICES - 2);
            assertThat(round.version()).isEqualTo(2);
            ModelParameters next = coordinator.registry().globalParameters(coordinator.registry().requireCurrent(model));
            ModelParameters expected = fedAvg(base, sent, examples, List.of(2, 5));
            float[] got = Fixtures.flat(next);
            float[] want = Fixtures.flat(expected);
            float worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want[i]));
            }
            // quantization: 0.5 / floor((2^31 - 1) / (10 x 0.5)) per value, far below float rounding of the weights
            assertThat(worst).as("largest difference from plain FedAvg").isLessThan(1e-5f);
            assertThat(Fixtures.flat(next)).isNotEqualTo(Fixtures.flat(base));
            assertThat(sent).hasSize(DEVICES);
        }
    }

    /** Ten partitions of different sizes, so that a wrong weight shows. */
    private static List<ByteDataset> unevenPartitions() throws Exception {
        ByteDataset train = Fixtures.train();
        int[][] parts = new IidPartitioner().partition(train.labels(), DEVICES, new Random(0));
        List<ByteDataset> out = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            out.add(train.subset(Arrays.copyOf(parts[i], 150 + 40 * i)));
        }
        return out;
    }

    private static DeviceConditions drop(SecureDrop where) {
        return new DeviceConditions() {
            @Override
            public SecureDrop secureDrop(String taskId) {
                return where;
            }
        };
    }

    private static UpdateTamper recording(int i, Map<Integer, ModelParameters> sent, Map<Integer, Integer> examples) {
        return new UpdateTamper() {
            @Override
            public Dataset trainingData(Dataset data) {
                examples.put(i, data.size());
                return data;
            }

            @Override
            public ModelParameters update(ModelParameters delta, long round) {
                sent.put(i, delta);
                return delta;
            }
        };
    }

    /** @return base + the example-weighted mean of the recorded deltas, without the devices {@code absent} */
    private static ModelParameters fedAvg(ModelParameters base, Map<Integer, ModelParameters> sent, Map<Integer, Integer> examples,
                                          List<Integer> absent) {
        double total = 0;
        double[] sum = new double[Fixtures.flat(base).length];
        for (var e : sent.entrySet()) {
            if (absent.contains(e.getKey())) {
                continue;
            }
            double w = examples.get(e.getKey());
            total += w;
            float[] d = Fixtures.flat(e.getValue());
            for (int i = 0; i < d.length; i++) {
                sum[i] += w * Math.max(-0.5, Math.min(0.5, d[i]));
            }
        }
        List<Tensor> out = new ArrayList<>();
        int at = 0;
        for (Tensor t : base.tensors()) {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (t.data()[i] + sum[at++] / total);
            }
            out.add(new Tensor(t.name(), t.shape(), v));
        }
        return new ModelParameters(out);
    }
}
