package io.flock.coordinator.rollout;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.InvalidInputException;
import io.flock.core.model.OffloadAdvice;
import io.flock.link.wire.Cohorts;
import io.flock.proto.v1.DriftBins;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.RolloutCanary;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a model's announcement says, and what each device is assigned: the production version's signed manifest with its
 * offload advice, the active rollout's canary (its candidate's manifest and cohort rule) and the drift statistics' bins.
 * Devices read the one retained announcement and pick their own version with {@link Cohorts#assigned}; the coordinator
 * answers GetCurrentModel with the same choice and checks what devices say they run against it. Thread-safe.
 */
public final class Announcements {
    private final String model;
    private final ModelRegistry registry;
    private final DeviceRegistry devices;
    private final int chunkBytes;
    private final Function<ModelVersion, Optional<OffloadAdvice>> advice;
    private volatile RolloutController rollouts;
    private volatile Supplier<Optional<DriftBins>> bins = Optional::empty;

    /**
     * @param chunkBytes the chunk size manifests announce
     * @param advice     the offload threshold calibrated for a version; empty = none
     */
    public Announcements(String model, ModelRegistry registry, DeviceRegistry devices, int chunkBytes,
                         Function<ModelVersion, Optional<OffloadAdvice>> advice) {
        this.model = model;
        this.registry = registry;
        this.devices = devices;
        this.chunkBytes = chunkBytes;
        this.advice = advice;
    }

    /** Sets the model's rollouts, whose active canary announcements carry. */
    public void rollouts(RolloutController controller) {
        this.rollouts = controller;
    }

    /** Sets the source of the drift bins announcements carry. */
    public void driftBins(Supplier<Optional<DriftBins>> source) {
        this.bins = source;
    }

    /**
     * @param production   the production version
     * @param chunksOnMqtt whether its chunks follow on MQTT
     * @return the model's announcement: the production version, the active canary, the drift bins
     */
    public ModelAnnouncement of(ModelVersion production, boolean chunksOnMqtt) {
        ModelAnnouncement.Builder a = WireMapper.announcement(production, chunkBytes, chunksOnMqtt, advice.apply(production).orElse(null))
                .toBuilder();
        canary().ifPresent(a::setCanary);
        bins.get().ifPresent(a::setDriftBins);
        return a.build();
    }

    private Optional<RolloutCanary> canary() {
        RolloutController c = rollouts;
        Rollout r = c == null ? null : c.active().orElse(null);
        if (r == null) {
            return Optional.empty();
        }
        ModelVersion v = registry.requireVersion(model, r.version());
        // cohort devices fetch the candidate over gRPC: its chunks are not broadcast to the whole fleet
        return Optional.of(RolloutCanary.newBuilder().setRolloutId(r.id()).setCohort(r.cohort())
                .setVersion(WireMapper.announcement(v, chunkBytes, false, advice.apply(v).orElse(null))).build());
    }

    /**
     * @return the announcement of a version that was production (a train task's base, which a newer version may have
     *         replaced since), without a canary
     * @throws io.flock.coordinator.registry.ModelNotFoundException for an unknown version
     * @throws RolloutStateException for a version never sent to devices (a candidate)
     */
    public ModelAnnouncement ofVersion(long version) {
        ModelVersion v = registry.requireVersion(model, version);
        if (v.stage() != Stage.PRODUCTION && v.stage() != Stage.ARCHIVED) {
            throw new RolloutStateException("version " + version + " of " + model + " is a " + v.stage()
                    + ", never sent to devices as a base");
        }
        return WireMapper.announcement(v, chunkBytes, false, advice.apply(v).orElse(null));
    }

    /** @return what the device should run now: the canary's manifest in the cohort, else the production one */
    public ModelAnnouncement forDevice(String deviceId) {
        return Cohorts.assigned(of(registry.requireCurrent(model), false), deviceId, devices.labels(deviceId));
    }

    /**
     * Checks a version a device says it runs. A device may run a version that was production (it may not have loaded
     * the newest yet, or be offline with an older one), and the newest rollout's candidate only inside its cohort (while
     * it runs, or on its way back after it ended). A candidate or canary version it was never sent, or a digest that is
     * not the version's pushed artifact, is a lie.
     *
     * @param sha256 the digest it reports, "" when it reports none
     * @throws InvalidInputException naming the claim
     */
    public void requireMayRun(String deviceId, long version, String sha256) {
        if (version == 0) {
            return;
        }
        ModelVersion v = registry.version(model, version)
                .orElseThrow(() -> new InvalidInputException("device " + deviceId + " says it runs version " + version + " of " + model
                        + ", which does not exist"));
        if (!sha256.isEmpty() && !sha256.equals(v.manifest().sha256())) {
            throw new InvalidInputException("device " + deviceId + " says it runs version " + version + " with artifact "
                    + sha256.substring(0, Math.min(12, sha256.length())) + ", which is not that version's artifact");
        }
        RolloutController c = rollouts;
        Rollout latest = c == null ? null : c.latest().orElse(null);
        boolean everProduction = v.stage() == Stage.PRODUCTION || v.stage() == Stage.ARCHIVED;
        if (latest != null && latest.version() == version && !everProduction) {
            if (!Cohorts.contains(latest.cohort(), deviceId, devices.labels(deviceId))) {
                throw new InvalidInputException("device " + deviceId + " says it runs version " + version + ", the candidate of rollout "
                        + latest.id() + ", but it " + (latest.status().active() ? "is not in the rollout's cohort" : "was not in its cohort"));
            }
            return; // in the cohort, or in it when the rollout ended and still on its way back
        }
        if (!everProduction) {
            throw new InvalidInputException("device " + deviceId + " says it runs version " + version + ", a " + v.stage()
                    + " never sent to devices");
        }
    }
}
