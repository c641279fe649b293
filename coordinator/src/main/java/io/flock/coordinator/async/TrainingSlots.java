package io.flock.coordinator.async;

import java.util.HashSet;
import java.util.Set;

/**
 * Bounded concurrency of asynchronous training: at most {@code limit} devices train at once, each at most once at a
 * time. A device takes a slot when it is sent a task and gives it back when its update arrives, it refuses the task, or
 * its task expires. Thread-safe.
 */
public final class TrainingSlots {
    private final int limit;
    private final Set<String> training = new HashSet<>();

    /** @param limit devices training at once, >= 1 */
    public TrainingSlots(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("async.concurrency must be >= 1, got " + limit);
        }
        this.limit = limit;
    }

    /** @return true when the device took a slot; false when all are taken or it already holds one */
    public synchronized boolean tryStart(String device) {
        return training.size() < limit && training.add(device);
    }

    /** Gives the device's slot back; a device without one changes nothing. @return whether it held one */
    public synchronized boolean finished(String device) {
        return training.remove(device);
    }

    /** @return whether the device holds a slot */
    public synchronized boolean holds(String device) {
        return training.contains(device);
    }

    /** @return devices training now */
    public synchronized int inFlight() {
        return training.size();
    }

    /** @return slots free now */
    public synchronized int free() {
        return limit - training.size();
    }
}
