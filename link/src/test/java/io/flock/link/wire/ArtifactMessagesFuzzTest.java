package io.flock.link.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.ArtifactRejectedException;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.ModelAnnouncement;

/**
 * Fuzzes the announcement mapping an agent runs on what the broker hands it: {@link ArtifactMessages#manifest} takes
 * any field values or refuses them with {@link InvalidInputException}, and {@link ArtifactMessages#decode} decodes any
 * bytes under any compression pipeline name (factorised and pruned forms included) or refuses them with
 * {@link ArtifactRejectedException}.
 */
class ArtifactMessagesFuzzTest {
    private static final String[] PIPELINES = {"fp32", "fp16", "int8", "int8-per-tensor", "int4", "int2-stochastic", "sparse-int4",
        "lowrank:4+int8", "lowrank:e0.9+fp16", "prune:0.5+sparse-int8", "prune:0.8:layer,int4,entropy"};

    @FuzzTest(maxDuration = "5s")
    void decode_anyAnnouncementAndBytes_decodesOrRejects(FuzzedDataProvider data) {
        String codec = data.consumeBoolean() ? data.pickValue(PIPELINES) : data.consumeString(48);
        ModelAnnouncement a = ModelAnnouncement.newBuilder().setModel(data.consumeString(16)).setVersion(data.consumeLong())
                .setSha256(data.consumeBoolean() ? "0f".repeat(32) : data.consumeString(70)).setSizeBytes(data.consumeLong())
                .setCodec(CodecDescriptor.newBuilder().setName(codec)).build();
        try {
            assertThat(ArtifactMessages.manifest(a).codec()).isEqualTo(codec);
        } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            assertThat(ArtifactMessages.decode(a, data.consumeRemainingAsBytes()).tensors()).isNotNull();
        } catch (ArtifactRejectedException rejected) {
            assertThat(rejected.getMessage()).contains("does not decode");
        }
    }
}
