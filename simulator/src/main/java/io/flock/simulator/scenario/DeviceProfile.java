package io.flock.simulator.scenario;

import io.flock.agent.DeviceConditions.SecureDrop;
import io.flock.core.config.ConfigException;

/**
 * A class of devices in a simulated fleet.
 *
 * @param name               label in reports
 * @param share              fraction of the fleet with this profile, 0..1 (shares sum to 1)
 * @param computeFactor      1 = as fast as this machine, 3 = three times slower; >= 1
 * @param uplinkMbps         device-to-cloud bandwidth, 0 = unlimited
 * @param downlinkMbps       cloud-to-device bandwidth, 0 = unlimited
 * @param latencyMs          one-way latency added to every transfer
 * @param availability       probability the device is online in a given round, 0..1
 * @param dropoutProbability probability it crashes mid-round after training, before uploading, 0..1
 * @param battery            starting battery fraction 0..1 (reported; not yet drained by work)
 * @param attack             how these devices misbehave; {@link Attack#NONE} for honest devices
 * @param secureDrop         where these devices leave every secure round (an emulated crash mid-protocol);
 *                           {@link SecureDrop#NONE} = they stay
 * @param trainSeconds       how long a train task takes on these devices, whatever it took here (a device's own
 *                           clock, independent of how loaded the simulating machine is); 0 = the time it took here
 *                           times {@code computeFactor}
 */
public record DeviceProfile(String name, double share, double computeFactor, double uplinkMbps, double downlinkMbps,
                            double latencyMs, double availability, double dropoutProbability, double battery, Attack attack,
                            SecureDrop secureDrop, double trainSeconds) {
    /** A profile whose training time is this machine's times {@code computeFactor}. */
    public DeviceProfile(String name, double share, double computeFactor, double uplinkMbps, double downlinkMbps, double latencyMs,
                         double availability, double dropoutProbability, double battery, Attack attack, SecureDrop secureDrop) {
        this(name, share, computeFactor, uplinkMbps, downlinkMbps, latencyMs, availability, dropoutProbability, battery, attack,
                secureDrop, 0);
    }

    /** An honest profile. */
    public DeviceProfile(String name, double share, double computeFactor, double uplinkMbps, double downlinkMbps, double latencyMs,
                         double availability, double dropoutProbability, double battery) {
        this(name, share, computeFactor, uplinkMbps, downlinkMbps, latencyMs, availability, dropoutProbability, battery, Attack.NONE,
                SecureDrop.NONE);
    }

    /** Validates ranges; {@code path} prefixes come from the loader. */
    public DeviceProfile {
        ConfigException.require(share >= 0 && share <= 1, "share", share);
        ConfigException.require(computeFactor >= 1, "computeFactor", computeFactor);
        ConfigException.require(uplinkMbps >= 0 && downlinkMbps >= 0, "uplinkMbps/downlinkMbps", uplinkMbps + "/" + downlinkMbps);
        ConfigException.require(latencyMs >= 0, "latencyMs", latencyMs);
        ConfigException.require(availability >= 0 && availability <= 1, "availability", availability);
        ConfigException.require(dropoutProbability >= 0 && dropoutProbability <= 1, "dropoutProbability", dropoutProbability);
        ConfigException.require(battery >= 0 && battery <= 1, "battery", battery);
        ConfigException.require(attack != null, "attack", "null");
        ConfigException.require(secureDrop != null, "secureDrop", "null");
        ConfigException.require(trainSeconds >= 0 && Double.isFinite(trainSeconds), "trainSeconds", trainSeconds);
    }

    /** A device like this machine on loopback: always there, never drops. */
    public static DeviceProfile ideal() {
        return new DeviceProfile("default", 1, 1, 0, 0, 0, 1, 0, 1);
    }
}
