package io.flock.coordinator.round;

import io.flock.coordinator.intake.OpenTask;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateConflictException;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.secagg.SecureSession;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.strategy.Aggregator;
import io.flock.coordinator.strategy.ClientUpdate;
import io.flock.core.tensor.ModelParameters;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The live state of the one open round of a model: who was asked, who answered or refused, and the running
 * aggregate. Thread-safe; {@link #close()} makes later updates fail with {@link RoundClosedException}.
 */
final class OpenRound {
    private final RoundRecord record;
    private final ModelParameters base;
    private final Aggregator aggregator;
    private final Set<String> answered = new HashSet<>();
    private final Set<String> unable = new HashSet<>();
    /** Devices counted through a gateway's pre-aggregated update, and that gateway. */
    private final Map<String, String> countedBy = new HashMap<>();
    private final double samplingRate;
    private final SecureSession secure;
    private boolean closed;
    private volatile boolean aborted;

    /**
     * @param samplingRate the share of available devices it asked (differential privacy's q)
     * @param secure       the round's secure aggregation, null for a plain round
     */
    OpenRound(RoundRecord record, ModelParameters base, Aggregator aggregator, double samplingRate, SecureSession secure) {
        this.record = record;
        this.base = base;
        this.aggregator = aggregator;
        this.samplingRate = samplingRate;
        this.secure = secure;
    }

    double samplingRate() {
        return samplingRate;
    }

    /** @return the round's secure aggregation, null for a plain round */
    SecureSession secure() {
        return secure;
    }

    /** @return whether the coordinator is stopping (the round stays open for a restart, or fails if secure) */
    boolean aborted() {
        return aborted;
    }

    RoundRecord record() {
        return record;
    }

    /** @return the base version's parameters: every update's layout */
    ModelParameters base() {
        return base;
    }

    /** @return the task the submission answers; throws RoundClosedException when it answers none of this round's */
    synchronized OpenTask require(UpdateSubmission s) {
        if (closed || s.round() != record.round()) {
            throw new RoundClosedException(closed ? "round_closed" : "wrong_round", "update for round " + s.round() + " of "
                    + record.model() + " but " + (closed ? "round " + record.round() + " is closed" : "round " + record.round()
                    + " is open"));
        }
        return RoundTasks.require(record, s, secure != null, base);
    }

    /** Folds an update another replica persisted, unless its device already answered; returns whether it folded. */
    synchronized boolean foldStored(ClientUpdate update) {
        if (answered.contains(update.deviceId())) {
            return false;
        }
        fold(update);
        return true;
    }

    /** Persists and folds a decoded update atomically with respect to {@link #close()}. */
    synchronized Receipt accept(OpenTask task, ClientUpdate update, Supplier<StoredUpdate.Outcome> persist) {
        if (closed) {
            throw new RoundClosedException("round_closed", "round " + record.round() + " of " + record.model() + " closed");
        }
        if (countedBy.containsKey(task.deviceId())) {
            throw new UpdateConflictException("device " + task.deviceId() + " was already counted in round " + record.round()
                    + " through gateway " + countedBy.get(task.deviceId()) + "'s aggregate");
        }
        switch (persist.get()) {
            case DUPLICATE:
                return new Receipt(Receipt.Outcome.DUPLICATE, record.round(), aggregator.count());
            case CONFLICT:
                throw new UpdateConflictException("device " + task.deviceId() + " already delivered an update for round "
                        + record.round() + " under another idempotency key");
            case ROUND_CLOSED:
                throw new RoundClosedException("round_closed", "round " + record.round() + " of " + record.model() + " closed");
            default:
                return new Receipt(Receipt.Outcome.ACCEPTED, record.round(), fold(update));
        }
    }

    /** Folds an already persisted update in; returns the number accepted so far. */
    synchronized int fold(ClientUpdate update) {
        aggregator.add(update);
        answered.add(update.deviceId());
        notifyAll();
        return aggregator.count();
    }

    /**
     * Folds a gateway's already persisted aggregate in as one update and marks its contributors answered.
     *
     * @return the number of updates accepted so far
     */
    synchronized int foldAggregate(String gatewayId, ClientUpdate update, List<String> contributors) {
        aggregator.add(update);
        for (String d : contributors) {
            answered.add(d);
            countedBy.put(d, gatewayId);
        }
        notifyAll();
        return aggregator.count();
    }

    /** @return whether the device was counted through the gateway's aggregate */
    synchronized boolean countedThrough(String deviceId, String gatewayId) {
        return gatewayId.equals(countedBy.get(deviceId));
    }

    /** @return whether the round's rule folds weighted means, which a gateway's mean composes with exactly */
    boolean foldsMeans() {
        return aggregator instanceof io.flock.coordinator.strategy.WeightedMean && secure == null;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** A selected device cannot answer (its task could not be sent, or it refused it): stop waiting for it. */
    synchronized void unable(String deviceId) {
        if (record.selected().contains(deviceId) && !answered.contains(deviceId) && unable.add(deviceId)) {
            notifyAll();
        }
    }

    synchronized boolean hasAnswered(String deviceId) {
        return answered.contains(deviceId);
    }

    synchronized int accepted() {
        return aggregator.count();
    }

    /** @return the fewest updates the strategy's rule can combine; fewer and the round keeps its version */
    int minimumUpdates() {
        return aggregator.minimumUpdates();
    }

    /**
     * Waits until {@code wanted} devices answered (a gateway's aggregate answers for each of its contributors), every device
     * that can still answer did, or the deadline passed.
     *
     * @return the devices that answered
     */
    synchronized int await(int wanted, long deadlineNanos) throws InterruptedException {
        while (answered.size() < Math.min(wanted, record.selected().size() - unable.size())) {
            if (aborted) {
                throw new InterruptedException("round " + record.round() + " aborted: the coordinator is stopping");
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return answered.size();
    }

    /**
     * Ends the wait of {@link #await} with InterruptedException: the coordinator is stopping. The round stays open
     * in the store, and a restart resumes it with what it accepted. (An interrupt alone can be swallowed on the
     * way, inside a client library's publish.)
     */
    synchronized void abort() {
        aborted = true;
        if (secure != null) {
            secure.abort("the coordinator is stopping");
        }
        notifyAll();
    }

    /** Stops accepting; returns the aggregator for the result. */
    synchronized Aggregator close() {
        closed = true;
        return aggregator;
    }

    List<String> selected() {
        return record.selected();
    }
}
