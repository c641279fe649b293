package io.flock.coordinator.mqtt;

import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.VersionListener;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.model.OffloadAdvice;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pushes each new production version to devices: its pushed variant's chunks (broadcast mode), then the
 * retained announcement. A rollback re-announces an older version the same way, and agents load it.
 */
public final class MqttAnnouncer implements VersionListener {
    private final MqttFleetLink link;
    private final ModelRegistry registry;
    private final int chunkBytes;
    private final boolean broadcast;
    private final Function<ModelVersion, Optional<OffloadAdvice>> advice;

    /**
     * @param chunkBytes artifact chunk size
     * @param broadcast  true: chunks go to every device on MQTT; false: announce only, devices fetch over gRPC
     * @param advice     the offload threshold calibrated for a version, announced with it; empty = none
     */
    public MqttAnnouncer(MqttFleetLink link, ModelRegistry registry, int chunkBytes, boolean broadcast,
                         Function<ModelVersion, Optional<OffloadAdvice>> advice) {
        this.link = link;
        this.registry = registry;
        this.chunkBytes = chunkBytes;
        this.broadcast = broadcast;
        this.advice = advice;
    }

    @Override
    public void promoted(ModelVersion version, long previous) {
        announce(version);
    }

    /**
     * Announces a version again with its advice as it is now (the cloud model changed, say), without chunks: a device
     * that runs it takes the new advice, one that does not fetches the artifact over gRPC.
     */
    public void readvise(ModelVersion version) {
        link.push(WireMapper.announcement(version, chunkBytes, false, advice.apply(version).orElse(null)), List.of());
    }

    /** Sends the version's chunks (broadcast mode) and its retained announcement. */
    public void announce(ModelVersion version) {
        // chunks first: a device keeps chunks that come before their announcement, so when the
        // announcement arrives it has the artifact and loads at once. Announcing first started every
        // device's chunk-wait clock while a broker fanning the chunks out to 1,000 sessions was still
        // busy, and most devices fetched the artifact a second time over gRPC.
        link.push(WireMapper.announcement(version, chunkBytes, broadcast, advice.apply(version).orElse(null)), broadcast ? WireMapper.chunks(version.manifest().sha256(),
                registry.artifact(version.manifest().sha256()), chunkBytes, 0) : List.of());
    }
}
