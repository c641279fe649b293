package io.flock.agent.artifact;

import com.google.protobuf.ByteString;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.Digests;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.codec.Codecs;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.ModelAnnouncement;
import java.util.Arrays;

/** Signed fp32 artifacts of a tiny MLP of model "m", their announcements and their chunks, for the updater's tests. */
final class TestArtifacts {
    static final String SPEC = "mlp:4-3-2";

    private TestArtifacts() {
    }

    /** @return the fp32 artifact of a freshly initialised model; {@code seed} makes different artifacts */
    static byte[] artifact(long seed) {
        try (FlockModel m = new FlockModel(ModelSpec.parse(SPEC), "t")) {
            var params = m.parameters();
            if (seed != 0) {
                params.tensors().get(0).data()[0] += seed;
            }
            return Codecs.FP32.encode(params);
        }
    }

    /** @return a correctly signed announcement of {@code artifact} as {@code version}, cut into {@code chunkCount} chunks */
    static ModelAnnouncement announce(Ed25519Signer signer, byte[] artifact, long version, int chunkCount) {
        String sha = Digests.sha256Hex(artifact);
        ArtifactManifest manifest = new ArtifactManifest("m", version, SPEC, "fp32", "scale:255", sha, artifact.length);
        int chunkBytes = (artifact.length + chunkCount - 1) / chunkCount;
        return ModelAnnouncement.newBuilder().setModel("m").setVersion(version).setSpec(SPEC)
                .setCodec(CodecDescriptor.newBuilder().setName("fp32")).setFeaturePipeline("scale:255").setSha256(sha)
                .setSizeBytes(artifact.length).setSignature(ByteString.copyFrom(signer.sign(manifest)))
                .setChunkCount(chunkCount).setChunkSizeBytes(chunkBytes).setChunksOnMqtt(true).build();
    }

    static ArtifactChunk[] chunks(ModelAnnouncement a, byte[] artifact) {
        int size = a.getChunkSizeBytes();
        ArtifactChunk[] out = new ArtifactChunk[a.getChunkCount()];
        for (int i = 0; i < out.length; i++) {
            int from = i * size;
            int to = Math.min(artifact.length, from + size);
            out[i] = ArtifactChunk.newBuilder().setSha256(a.getSha256()).setIndex(i).setCount(out.length).setOffset(from)
                    .setData(ByteString.copyFrom(Arrays.copyOfRange(artifact, from, to))).build();
        }
        return out;
    }
}
