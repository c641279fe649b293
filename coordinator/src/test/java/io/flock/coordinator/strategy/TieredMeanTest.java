package io.flock.coordinator.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The contract a gateway's pre-aggregated update must keep (issue 28's tiered aggregation): a gateway uploads the
 * weighted mean of its devices' updates with their total weight and contributor count, and the coordinator's mean of
 * such uploads equals, up to float rounding, the flat FedAvg of every device's update.
 */
class TieredMeanTest {
    private static ModelParameters p(float[] v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @Test
    void result_gatewaysUploadTheirMeanAndTotalWeight_equalsFlatFedAvg() {
        Random random = new Random(11);
        int devices = 40;
        int gateways = 3;
        ModelParameters layout = p(new float[64]);
        WeightedMean flat = new WeightedMean(layout);
        StreamingWeightedMean[] tier = new StreamingWeightedMean[gateways];
        int[] behind = new int[gateways];
        for (int g = 0; g < gateways; g++) {
            tier[g] = new StreamingWeightedMean(layout);
        }
        for (int d = 0; d < devices; d++) {
            float[] v = new float[64];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
            }
            double examples = 10 + random.nextInt(500);
            flat.add(new ClientUpdate("d" + d, 1, p(v), examples, 1, 0));
            int g = d % gateways == 0 ? 0 : d < 30 ? 1 : 2; // uneven: 14, 20 and 6 devices
            tier[g].add(p(v), examples);
            behind[g]++;
        }
        WeightedMean top = new WeightedMean(layout);
        for (int g = 0; g < gateways; g++) {
            top.add(new ClientUpdate("gw" + g, 1, tier[g].mean(), tier[g].totalWeight(), behind[g], 0));
        }

        AggregatedUpdate a = flat.result();
        AggregatedUpdate b = top.result();

        for (int i = 0; i < 64; i++) {
            assertThat(b.delta().tensors().get(0).data()[i]).isCloseTo(a.delta().tensors().get(0).data()[i], within(1e-5f));
        }
        assertThat(b.totalWeight()).isCloseTo(a.totalWeight(), within(1e-9));
        assertThat(b.contributors()).isEqualTo(devices);
    }
}
