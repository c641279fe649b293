package io.flock.simulator.scenario;

import io.flock.agent.DeviceConditions.SecureDrop;
import io.flock.agent.training.UpdateTamper;
import io.flock.core.data.Dataset;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a secure round in the simulator: each device's update is recorded where it is masked (a test-only tamper that
 * changes nothing; the simulator's own memory, never the wire), and the version the coordinator published from the
 * unmasked sum is compared with the base plus plain FedAvg (example-weighted mean, clamped to the ring's range as the
 * devices encode it) of the updates whose vectors arrived. Thread-safe.
 */
final class SecureSumCheck {
    private record Recorded(long round, ModelParameters delta, int examples) {
    }

    private final Map<Integer, Recorded> updates = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> examples = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> rounds = new ArrayList<>();

    /** @return device i's tamper, recording what {@code inner} lets through */
    UpdateTamper wrap(int i, UpdateTamper inner) {
        return new UpdateTamper() {
            @Override
            public Dataset trainingData(Dataset data) {
                Dataset d = inner.trainingData(data);
                examples.put(i, d.size());
                return d;
            }

            @Override
            public ModelParameters update(ModelParameters delta, long round) {
                ModelParameters out = inner.update(delta, round);
                updates.put(i, new Recorded(round, out, examples.getOrDefault(i, 1)));
                return out;
            }

            @Override
            public String toString() {
                return "secure-sum recorder (changes nothing) around " + inner;
            }
        };
    }

    /**
     * Compares round {@code round}'s published parameters with plain FedAvg of the recorded updates of the devices whose
     * vectors arrived, and keeps the result for the report.
     *
     * @param selected  indices of the devices the round asked
     * @param drops     each device's secure drop
     * @param accepted  how many vectors the coordinator summed
     * @param range     the ring's clamp range
     * @return the largest absolute difference over all coordinates
     */
    double check(long round, List<Integer> selected, List<SecureDrop> drops, int accepted, ModelParameters base, ModelParameters published,
                 double range) {
        double total = 0;
        double[] sum = new double[Math.toIntExact(base.totalSize())];
        int arrived = 0;
        for (int i : selected) {
            Recorded r = updates.get(i);
            SecureDrop d = drops.get(i);
            if (r == null || r.round() != round || d == SecureDrop.BEFORE_SHARES || d == SecureDrop.BEFORE_VECTOR) {
                continue;
            }
            arrived++;
            total += r.examples();
            int at = 0;
            for (Tensor t : r.delta().tensors()) {
                for (float v : t.data()) {
                    sum[at++] += r.examples() * Math.max(-range, Math.min(range, v));
                }
            }
        }
        double worst = 0;
        int at = 0;
        for (int k = 0; k < base.tensors().size(); k++) {
            float[] b = base.tensors().get(k).data();
            float[] p = published.tensors().get(k).data();
            for (int j = 0; j < b.length; j++) {
                worst = Math.max(worst, Math.abs(p[j] - (b[j] + sum[at++] / total)));
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("expectedContributors", arrived);
        row.put("summed", accepted);
        row.put("maxAbsError", arrived == accepted ? worst : Double.NaN);
        synchronized (rounds) {
            rounds.add(row);
        }
        updates.values().removeIf(r -> r.round() <= round);
        return arrived == accepted ? worst : Double.NaN;
    }

    /** @return the report's {@code secureSum} section: each round's check */
    List<Map<String, Object>> section() {
        synchronized (rounds) {
            return List.copyOf(rounds);
        }
    }
}
