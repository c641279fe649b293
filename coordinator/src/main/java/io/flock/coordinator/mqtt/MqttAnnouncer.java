package io.flock.coordinator.mqtt;

import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.VersionListener;
import io.flock.coordinator.rollout.Announcements;
import io.flock.coordinator.wire.WireMapper;
import java.util.List;

/**
 * Pushes each new production version to devices: its pushed variant's chunks (broadcast mode), then the
 * retained announcement. A rollback re-announces an older version the same way, and agents load it. The announcement
 * carries the active rollout's canary and the drift bins ({@link Announcements}).
 */
public final class MqttAnnouncer implements VersionListener {
    private final MqttFleetLink link;
    private final ModelRegistry registry;
    private final int chunkBytes;
    private final boolean broadcast;
    private final Announcements announcements;

    /**
     * @param chunkBytes    artifact chunk size
     * @param broadcast     true: chunks go to every device on MQTT; false: announce only, devices fetch over gRPC
     * @param announcements builds the announcement (offload advice, canary, drift bins)
     */
    public MqttAnnouncer(MqttFleetLink link, ModelRegistry registry, int chunkBytes, boolean broadcast, Announcements announcements) {
        this.link = link;
        this.registry = registry;
        this.chunkBytes = chunkBytes;
        this.broadcast = broadcast;
        this.announcements = announcements;
    }

    @Override
    public void promoted(ModelVersion version, long previous) {
        announce(version);
    }

    /**
     * Announces a version again as it is now, without chunks: its advice (the cloud model changed, say), a rollout's
     * canary and cohort (a stage began or the rollout ended). A device that runs what it is assigned takes the new advice;
     * one assigned another version fetches that artifact over gRPC.
     */
    public void readvise(ModelVersion version) {
        link.push(announcements.of(version, false), List.of());
    }

    /** Sends the version's chunks (broadcast mode) and its retained announcement. */
    public void announce(ModelVersion version) {
        // chunks first: a device keeps chunks that come before their announcement, so when the
        // announcement arrives it has the artifact and loads at once. Announcing first started every
        // device's chunk-wait clock while a broker fanning the chunks out to 1,000 sessions was still
        // busy, and most devices fetched the artifact a second time over gRPC.
        link.push(announcements.of(version, broadcast), broadcast ? WireMapper.chunks(version.manifest().sha256(),
                registry.artifact(version.manifest().sha256()), chunkBytes, 0) : List.of());
    }
}
