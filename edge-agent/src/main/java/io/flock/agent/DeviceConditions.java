package io.flock.agent;

import java.time.Duration;

/**
 * The device's physical conditions as the agent experiences them: how slow its compute is, how long
 * bytes take on its links, whether it crashes mid-task and whether the coordinator is reachable.
 * A real device uses {@link #REAL} (no emulation); the simulator supplies profiles, so that the same
 * agent code runs slow devices slowly and thin links slowly. Implementations are thread-safe.
 */
public interface DeviceConditions {
    /** A real device: nothing is added, nothing is dropped. */
    DeviceConditions REAL = new DeviceConditions() {
    };

    /** @return extra time to spend after local training that really took {@code took} */
    default Duration computePenalty(Duration took) {
        return Duration.ZERO;
    }

    /** @return time for {@code bytes} to travel up (device to cloud), latency included */
    default Duration uplink(long bytes) {
        return Duration.ZERO;
    }

    /** @return time for {@code bytes} to travel down (cloud to device), latency included */
    default Duration downlink(long bytes) {
        return Duration.ZERO;
    }

    /** @return true when the device dies during this task: it trains but never uploads */
    default boolean dropsOut(String taskId) {
        return false;
    }

    /** Where a device leaves a secure round (emulated crash), after training and advertising its keys. */
    enum SecureDrop {
        /** It stays to the end. */
        NONE,
        /** It never sends its shares. */
        BEFORE_SHARES,
        /** It shares, masks, and dies before its masked vector is sent. */
        BEFORE_VECTOR,
        /** It sends its vector and dies before revealing its shares. */
        BEFORE_REVEAL
    }

    /** @return where the device drops out of this secure round's protocol */
    default SecureDrop secureDrop(String taskId) {
        return SecureDrop.NONE;
    }

    /** @return false while a network partition separates the device from the coordinator */
    default boolean coordinatorReachable() {
        return true;
    }

    /** Sleeps for {@code d}, keeping the interrupt flag; used to apply the durations above. */
    static void pause(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
