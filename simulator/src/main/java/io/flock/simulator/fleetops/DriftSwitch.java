package io.flock.simulator.fleetops;

/**
 * Whether the injected drift is on: set by the run when its window comes, read by every drifted device's data view
 * (training and serving) as it reads a sample. Thread-safe.
 */
public final class DriftSwitch {
    private volatile boolean on;
    private volatile long sinceMs;

    /** Turns the drift on from now. */
    public void on() {
        sinceMs = System.currentTimeMillis();
        on = true;
    }

    /** @return whether the drift is on */
    public boolean isOn() {
        return on;
    }

    /** @return when it was turned on, Unix ms; 0 while off */
    public long sinceMs() {
        return on ? sinceMs : 0;
    }
}
