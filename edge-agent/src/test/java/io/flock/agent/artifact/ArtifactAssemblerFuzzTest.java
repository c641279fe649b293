package io.flock.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.ArtifactChunk;

/**
 * Fuzzes {@link ArtifactAssembler} with announced sizes and chunkings and the chunks and fetched tails that follow:
 * each is taken or refused with {@link InvalidInputException}, the assembler never allocates past its limit, and the
 * resume offset stays within the artifact.
 */
class ArtifactAssemblerFuzzTest {
    private static final long LIMIT = 1 << 16;
    private static final String SHA256 = "ab".repeat(32);

    @FuzzTest(maxDuration = "3s")
    void add_anyChunks_takesOrRefuses(FuzzedDataProvider data) {
        ArtifactAssembler assembler;
        try {
            assembler = new ArtifactAssembler(SHA256, data.consumeLong(), data.consumeInt(), data.consumeInt(), LIMIT);
        } catch (InvalidInputException refused) {
            return;
        }
        assertThat(assembler.bytes().length).isLessThanOrEqualTo((int) LIMIT);
        while (data.remainingBytes() > 0) {
            try {
                if (data.consumeBoolean()) {
                    assembler.add(ArtifactChunk.newBuilder().setSha256(SHA256).setIndex(data.consumeInt()).setOffset(data.consumeLong())
                            .setData(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 64)))).build());
                } else {
                    assembler.fill(data.consumeLong(), data.consumeBytes(data.consumeInt(0, 64)));
                }
            } catch (InvalidInputException refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
            assertThat(assembler.contiguousBytes()).isBetween(0L, (long) assembler.bytes().length);
        }
    }
}
