package io.flock.coordinator.wire;

import com.google.protobuf.ByteString;
import io.flock.coordinator.registry.ArtifactVariant;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.model.OffloadAdvice;
import io.flock.link.wire.OffloadMessages;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.ModelAnnouncement;
import java.util.ArrayList;
import java.util.List;

/** Converts the coordinator's domain types to flock.v1 messages. Used by the gRPC and MQTT edges only. */
public final class WireMapper {
    private WireMapper() {
    }

    /**
     * @param chunksOnMqtt whether the chunks follow on MQTT (else devices fetch over gRPC)
     * @return the announcement of a version, with its chunking and no offload advice
     */
    public static ModelAnnouncement announcement(ModelVersion v, int chunkBytes, boolean chunksOnMqtt) {
        return announcement(v, chunkBytes, chunksOnMqtt, null);
    }

    /**
     * @param chunksOnMqtt whether the chunks follow on MQTT (else devices fetch over gRPC)
     * @param advice       the offload threshold calibrated for the version; null = none
     * @return the announcement of a version, with its chunking
     */
    public static ModelAnnouncement announcement(ModelVersion v, int chunkBytes, boolean chunksOnMqtt, OffloadAdvice advice) {
        ModelAnnouncement a = announcement(v, v.pushed(), chunkBytes, chunksOnMqtt);
        return advice == null ? a : a.toBuilder().setOffload(OffloadMessages.message(advice)).build();
    }

    /** @return the announcement of one artifact variant of a version (its own manifest and signature) */
    public static ModelAnnouncement announcement(ModelVersion v, ArtifactVariant variant, int chunkBytes, boolean chunksOnMqtt) {
        ArtifactManifest m = variant.manifest();
        return ModelAnnouncement.newBuilder()
                .setModel(m.model())
                .setVersion(m.version())
                .setSpec(m.spec())
                .setCodec(CodecDescriptor.newBuilder().setName(m.codec()))
                .setFeaturePipeline(m.pipeline())
                .setSha256(m.sha256())
                .setSizeBytes(m.sizeBytes())
                .setSignature(ByteString.copyFrom(variant.signature()))
                .setChunkCount(chunkCount(m.sizeBytes(), chunkBytes))
                .setChunkSizeBytes(chunkBytes)
                .setCreatedUnixMs(v.createdMs())
                .setChunksOnMqtt(chunksOnMqtt)
                .build();
    }

    /** @return the artifact from {@code offset} on, cut at multiples of {@code chunkBytes} */
    public static List<ArtifactChunk> chunks(String sha256, byte[] bytes, int chunkBytes, long offset) {
        int count = chunkCount(bytes.length, chunkBytes);
        List<ArtifactChunk> out = new ArrayList<>();
        for (int i = (int) (offset / chunkBytes); i < count; i++) {
            int from = Math.max(i * chunkBytes, (int) offset);
            int to = Math.min(bytes.length, (i + 1) * chunkBytes);
            out.add(ArtifactChunk.newBuilder().setSha256(sha256).setIndex(i).setCount(count).setOffset(from)
                    .setData(ByteString.copyFrom(bytes, from, to - from)).build());
        }
        return out;
    }

    private static int chunkCount(long size, int chunkBytes) {
        return (int) Math.max(1, (size + chunkBytes - 1) / chunkBytes);
    }
}
