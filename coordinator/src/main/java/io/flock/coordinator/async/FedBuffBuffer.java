package io.flock.coordinator.async;

import io.flock.coordinator.round.RoundClosedException;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * FedBuff's buffer (Nguyen et al. 2022): asynchronous updates are folded in as they arrive, each weighted by its own
 * examples times its staleness factor, and every {@code size} updates the buffer yields Σ n·w(s)·Δ / Σ n, which the
 * server optimizer turns into a version. The weights are per update: an update counts by its examples and its staleness
 * alone, whichever base version it came from (averaging each base version's updates first, then the base versions,
 * makes a version that one device trained from weigh as much as one ten devices trained from). Normalising by Σ n, not
 * Σ n·w(s), keeps the staleness discount absolute: a buffer of stale updates moves the model less. Memory O(P). Not
 * thread-safe: the engine serialises calls.
 */
public final class FedBuffBuffer {
    private final ModelParameters layout;
    private final int size;
    private final long maxStaleness;
    private final StalenessWeight rule;
    private StreamingWeightedMean mean;
    private double examples;
    private double discounted;
    private int contributors;

    /**
     * @param layout       the model's layout
     * @param size         K, updates per version, >= 1
     * @param maxStaleness updates staler than this are refused, >= 0
     * @param rule         the staleness factor
     */
    public FedBuffBuffer(ModelParameters layout, int size, long maxStaleness, StalenessWeight rule) {
        if (size < 1 || maxStaleness < 0) {
            throw new IllegalArgumentException("buffer size must be >= 1 and max staleness >= 0, got " + size + " and " + maxStaleness);
        }
        this.layout = layout;
        this.size = size;
        this.maxStaleness = maxStaleness;
        this.rule = rule;
        this.mean = new StreamingWeightedMean(layout);
    }

    /**
     * Folds an update in.
     *
     * @param u an update whose {@link ClientUpdate#staleness()} the caller computed ({@link VersionLineage})
     * @return the updates buffered now
     * @throws RoundClosedException (reason too_stale) for an update staler than the maximum; nothing is added
     */
    public int add(ClientUpdate u) {
        if (u.staleness() > maxStaleness) {
            throw new RoundClosedException("too_stale", "update from device " + u.deviceId() + " trained from version " + u.baseVersion()
                    + ", " + u.staleness() + " versions ago; async.max-staleness=" + maxStaleness);
        }
        double w = rule.weight(u.staleness());
        mean.add(u.delta(), u.weight() * w);
        examples += u.weight();
        discounted += u.weight() * w;
        contributors += u.contributors();
        return mean.count();
    }

    /** @return whether K updates are buffered */
    public boolean full() {
        return mean.count() >= size;
    }

    /** @return updates buffered */
    public int count() {
        return mean.count();
    }

    /**
     * @return Σ n·w(s)·Δ / Σ n over the buffered updates, and empties the buffer
     * @throws IllegalStateException when it is empty
     */
    public AggregatedUpdate drain() {
        if (mean.count() == 0) {
            throw new IllegalStateException("the buffer is empty");
        }
        ModelParameters m = scaled(mean.mean(), discounted / examples);
        AggregatedUpdate out = new AggregatedUpdate(m, examples, contributors);
        mean = new StreamingWeightedMean(layout);
        examples = 0;
        discounted = 0;
        contributors = 0;
        return out;
    }

    private static ModelParameters scaled(ModelParameters p, double factor) {
        List<Tensor> out = new ArrayList<>(p.tensors().size());
        for (Tensor t : p.tensors()) {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (t.data()[i] * factor);
            }
            out.add(new Tensor(t.name(), t.shape(), v));
        }
        return new ModelParameters(out);
    }
}
