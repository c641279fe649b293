package io.flock.agent.relay;

import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.tensor.ModelParameters;
import io.flock.proto.v1.Contribution;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * One round of one model at a gateway: which of its devices got a plain train task, the running weighted mean of the
 * deltas they handed in, and their contributions. Memory O(P), whatever the number of devices. Not thread-safe: the
 * {@link TierAggregator} serialises.
 */
final class PendingRound {
    final String model;
    final long round;
    final long baseVersion;
    final long deadlineMs;
    private final Set<String> expected = new HashSet<>();
    private final Set<String> answered = new HashSet<>();
    private final List<Contribution> contributions = new ArrayList<>();
    private StreamingWeightedMean mean;
    private boolean sent;
    ScheduledFuture<?> timer;

    PendingRound(String model, long round, long baseVersion, long deadlineMs) {
        this.model = model;
        this.round = round;
        this.baseVersion = baseVersion;
        this.deadlineMs = deadlineMs;
    }

    void expect(String deviceId) {
        expected.add(deviceId);
    }

    /** @return whether the device may still be folded in: expected, not answered, and the aggregate not sent */
    boolean takes(String deviceId, long baseVersion) {
        return !sent && baseVersion == this.baseVersion && expected.contains(deviceId) && !answered.contains(deviceId);
    }

    /** Folds one device's delta, weighted by its examples. */
    void add(String deviceId, String taskId, ModelParameters delta, long examples) {
        if (mean == null) {
            mean = new StreamingWeightedMean(delta);
        }
        mean.add(delta, examples);
        answered.add(deviceId);
        contributions.add(Contribution.newBuilder().setDeviceId(deviceId).setTaskId(taskId).setNumExamples(examples).build());
    }

    /** @return whether every expected device answered */
    boolean complete() {
        return !expected.isEmpty() && answered.size() == expected.size();
    }

    /** Marks the aggregate sent (later deltas go straight to the coordinator); @return false when nothing was folded */
    boolean seal() {
        sent = true;
        if (timer != null) {
            timer.cancel(false);
        }
        return mean != null;
    }

    boolean sent() {
        return sent;
    }

    ModelParameters mean() {
        return mean.mean();
    }

    List<Contribution> contributions() {
        return List.copyOf(contributions);
    }

    long totalExamples() {
        return contributions.stream().mapToLong(Contribution::getNumExamples).sum();
    }
}
