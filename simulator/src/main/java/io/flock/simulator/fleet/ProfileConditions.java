package io.flock.simulator.fleet;

import io.flock.agent.DeviceConditions;
import io.flock.simulator.scenario.DeviceProfile;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A device profile applied to a real agent: slow compute takes proportionally longer (or as long as the profile's
 * {@code trainSeconds}, when it names a time), transfers take
 * latency plus size over bandwidth, dropouts are drawn per task from the seed (the same seed drops
 * the same tasks), and a partition flag cuts the device off from the coordinator.
 */
public final class ProfileConditions implements DeviceConditions {
    private final DeviceProfile profile;
    private final long seed;
    private volatile boolean partitioned;

    /**
     * @param profile the device's class
     * @param seed    per-device seed for dropout draws
     */
    public ProfileConditions(DeviceProfile profile, long seed) {
        this.profile = profile;
        this.seed = seed;
    }

    /** @return the profile */
    public DeviceProfile profile() {
        return profile;
    }

    /** Cuts the device off from the coordinator (true) or heals the partition (false). */
    public void partitioned(boolean cut) {
        this.partitioned = cut;
    }

    @Override
    public Duration computePenalty(Duration took) {
        if (profile.trainSeconds() > 0) {
            return Duration.ofNanos(Math.max(0, (long) (profile.trainSeconds() * 1e9) - took.toNanos()));
        }
        return Duration.ofNanos((long) (took.toNanos() * (profile.computeFactor() - 1)));
    }

    @Override
    public Duration uplink(long bytes) {
        return transfer(bytes, profile.uplinkMbps());
    }

    @Override
    public Duration downlink(long bytes) {
        return transfer(bytes, profile.downlinkMbps());
    }

    private Duration transfer(long bytes, double mbps) {
        double seconds = profile.latencyMs() / 1000 + (mbps > 0 ? bytes * 8 / (mbps * 1e6) : 0);
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    @Override
    public boolean dropsOut(String taskId) {
        return profile.dropoutProbability() > 0
                && new SplittableRandom(seed * 31 + taskId.hashCode()).nextDouble() < profile.dropoutProbability();
    }

    @Override
    public SecureDrop secureDrop(String taskId) {
        return profile.secureDrop();
    }

    @Override
    public boolean coordinatorReachable() {
        return !partitioned;
    }
}
