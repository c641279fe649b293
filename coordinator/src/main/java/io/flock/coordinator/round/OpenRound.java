package io.flock.coordinator.round;

import io.flock.coordinator.strategy.Aggregator;
import io.flock.core.tensor.ModelParameters;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The live state of the one open round of a model: who was asked, who answered, and the running
 * aggregate. Thread-safe; {@link #close()} makes later updates fail with {@link RoundClosedException}.
 */
final class OpenRound {
    private final RoundRecord record;
    private final Aggregator aggregator;
    private final Set<String> answered = new HashSet<>();
    private boolean closed;

    OpenRound(RoundRecord record, Aggregator aggregator) {
        this.record = record;
        this.aggregator = aggregator;
    }

    RoundRecord record() {
        return record;
    }

    /** Checks that the submission belongs to this round and its task; throws RoundClosedException otherwise. */
    synchronized void requireMatches(UpdateSubmission s) {
        if (closed || s.round() != record.round()) {
            throw new RoundClosedException("update for round " + s.round() + " of " + record.model() + " but "
                    + (closed ? "round " + record.round() + " is closed" : "round " + record.round() + " is open"));
        }
        if (!record.selected().contains(s.deviceId()) || !RoundEngine.taskId(record.round(), s.deviceId()).equals(s.taskId())) {
            throw new RoundClosedException("device " + s.deviceId() + " has no task '" + s.taskId() + "' in round " + record.round());
        }
        if (s.baseVersion() != record.baseVersion()) {
            throw new RoundClosedException("update trained from version " + s.baseVersion() + " but round "
                    + record.round() + " trains version " + record.baseVersion());
        }
    }

    /**
     * Persists and folds a validated update atomically with respect to {@link #close()}.
     *
     * @param persist stores the update; returns false for a duplicate idempotency key
     * @return accepted count after this update, or -1 for a duplicate (nothing changed)
     */
    synchronized int accept(UpdateSubmission s, ModelParameters delta, java.util.function.BooleanSupplier persist) {
        requireMatches(s);
        if (!persist.getAsBoolean()) {
            return -1;
        }
        return fold(s.deviceId(), delta, s.numExamples());
    }

    /** Folds an already persisted update in; returns the number accepted so far. */
    synchronized int fold(String deviceId, ModelParameters delta, double weight) {
        aggregator.add(delta, weight);
        answered.add(deviceId);
        notifyAll();
        return aggregator.count();
    }

    synchronized boolean hasAnswered(String deviceId) {
        return answered.contains(deviceId);
    }

    synchronized int accepted() {
        return aggregator.count();
    }

    /** Waits until {@code wanted} updates arrived or the deadline passed; returns the count. */
    synchronized int await(int wanted, long deadlineNanos) throws InterruptedException {
        while (aggregator.count() < wanted) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return aggregator.count();
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
