package io.flock.coordinator.strategy;

import io.flock.core.InvalidInputException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Norm bounding (Sun et al. 2019, "Can You Really Backdoor Federated Learning?"): scales each update whose L2 norm
 * over all parameters exceeds {@code bound} down to that norm, then passes it to the wrapped aggregator. Weight and
 * contributors pass through unchanged. Bounds what one scaled (model-replacement) update can do to any rule; the
 * server-side counterpart of the training plan's clip-norm, which trusts the device to clip. O(P) extra per update.
 * Not thread-safe, like the aggregator it wraps.
 */
public final class NormBound implements Aggregator {
    private final Aggregator inner;
    private final float bound;
    private int clipped;

    /**
     * @param inner the aggregator that gets the bounded updates
     * @param bound largest L2 norm an update keeps, finite and > 0
     */
    public NormBound(Aggregator inner, float bound) {
        if (!(bound > 0) || !Float.isFinite(bound)) {
            throw new InvalidInputException("update norm bound must be finite and > 0, got " + bound);
        }
        this.inner = inner;
        this.bound = bound;
    }

    /** @return the L2 norm over every value of {@code p} */
    static double norm(ModelParameters p) {
        double s = 0;
        for (Tensor t : p.tensors()) {
            for (float x : t.data()) {
                s += (double) x * x;
            }
        }
        return Math.sqrt(s);
    }

    /** @throws InvalidInputException whatever the inner aggregator refuses */
    @Override
    public void add(ClientUpdate update) {
        double norm = norm(update.delta());
        if (norm <= bound) {
            inner.add(update);
            return;
        }
        float scale = (float) (bound / norm);
        List<Tensor> scaled = new ArrayList<>(update.delta().tensors().size());
        for (Tensor t : update.delta().tensors()) {
            float[] out = new float[t.size()];
            for (int j = 0; j < out.length; j++) {
                out[j] = t.data()[j] * scale;
            }
            scaled.add(new Tensor(t.name(), t.shape(), out));
        }
        inner.add(new ClientUpdate(update.deviceId(), update.baseVersion(), new ModelParameters(scaled), update.weight(),
                update.contributors(), update.staleness()));
        clipped++;
    }

    /** @return updates that were scaled down so far */
    public int clipped() {
        return clipped;
    }

    @Override
    public int count() {
        return inner.count();
    }

    @Override
    public int minimumUpdates() {
        return inner.minimumUpdates();
    }

    @Override
    public AggregatedUpdate result() {
        return inner.result();
    }

    @Override
    public String toString() {
        return inner + " with norm-bound " + bound;
    }
}
