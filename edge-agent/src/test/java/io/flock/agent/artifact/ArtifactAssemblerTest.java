package io.flock.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.flock.core.InvalidInputException;
import io.flock.proto.v1.ArtifactChunk;
import org.junit.jupiter.api.Test;

class ArtifactAssemblerTest {
    private static ArtifactChunk chunk(int index, byte... data) {
        return ArtifactChunk.newBuilder().setSha256("ab".repeat(32)).setIndex(index).setCount(3).setOffset(index * 4L)
                .setData(ByteString.copyFrom(data)).build();
    }

    @Test
    void add_outOfOrderAndDuplicate_completesWithBytesInPlace() {
        ArtifactAssembler a = new ArtifactAssembler("ab".repeat(32), 10, 4, 3, 1 << 20);

        a.add(chunk(2, (byte) 9, (byte) 10));
        a.add(chunk(0, (byte) 1, (byte) 2, (byte) 3, (byte) 4));
        assertThat(a.complete()).isFalse();
        assertThat(a.contiguousBytes()).isEqualTo(4);   // chunk 1 is missing: resume from byte 4
        a.add(chunk(0, (byte) 1, (byte) 2, (byte) 3, (byte) 4));
        a.add(chunk(1, (byte) 5, (byte) 6, (byte) 7, (byte) 8));

        assertThat(a.complete()).isTrue();
        assertThat(a.bytes()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }

    @Test
    void fill_resumedTail_completes() {
        ArtifactAssembler a = new ArtifactAssembler("ab".repeat(32), 10, 4, 3, 1 << 20);
        a.add(chunk(0, (byte) 1, (byte) 2, (byte) 3, (byte) 4));

        a.fill(a.contiguousBytes(), new byte[] {5, 6, 7, 8, 9, 10});

        assertThat(a.complete()).isTrue();
        assertThat(a.bytes()[9]).isEqualTo((byte) 10);
    }

    @Test
    void badChunksAndAnnouncements_areRejected() {
        ArtifactAssembler a = new ArtifactAssembler("ab".repeat(32), 10, 4, 3, 1 << 20);

        assertThatThrownBy(() -> a.add(chunk(5, (byte) 1))).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> a.add(chunk(2, new byte[4]))).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> a.fill(2, new byte[3])).hasMessageContaining("fetched 3 bytes");
        assertThatThrownBy(() -> new ArtifactAssembler("x", 2L << 30, 4, 3, 1 << 20)).hasMessageContaining("exceeds the limit");
        assertThatThrownBy(() -> new ArtifactAssembler("x", 100, 4, 3, 1 << 20)).hasMessageContaining("cannot hold 100");
    }

    @Test
    void add_aChunkContradictingOneReceived_isReported_andChangesNothing() {
        ArtifactAssembler a = new ArtifactAssembler("ab".repeat(32), 10, 4, 3, 1 << 20);
        a.add(chunk(0, (byte) 1, (byte) 2, (byte) 3, (byte) 4));
        a.add(chunk(2, (byte) 9, (byte) 10));

        assertThat(a.add(chunk(0, (byte) 1, (byte) 2, (byte) 3, (byte) 4))).as("the same bytes again").isTrue();
        assertThat(a.add(chunk(0, (byte) 6, (byte) 6, (byte) 6, (byte) 6))).isFalse();
        assertThat(a.add(chunk(0, (byte) 1, (byte) 2))).as("a shorter copy").isFalse();
        assertThat(a.add(chunk(2, (byte) 9, (byte) 10))).as("the short last chunk again").isTrue();

        assertThat(a.bytes()).startsWith(1, 2, 3, 4);
    }

    @Test
    void pushed_saysWhetherAnyBytesCameFromChunks() {
        ArtifactAssembler fetched = new ArtifactAssembler("ab".repeat(32), 10, 4, 3, 1 << 20);
        fetched.fill(0, new byte[10]);
        ArtifactAssembler resumed = new ArtifactAssembler("ab".repeat(32), 10, 4, 3, 1 << 20);
        resumed.add(chunk(0, (byte) 1, (byte) 2, (byte) 3, (byte) 4));
        resumed.fill(4, new byte[6]);

        assertThat(fetched.pushed()).isFalse();
        assertThat(resumed.pushed()).isTrue();
    }

    /** ArtifactAssemblerFuzzTest: a one-byte tail at offset -1 of an empty artifact passed the length check and broke arraycopy. */
    @Test
    void fill_negativeOffset_isRejected() {
        ArtifactAssembler a = new ArtifactAssembler("ab".repeat(32), 0, 1, 1, 1 << 20);

        assertThatThrownBy(() -> a.fill(-1, new byte[1])).isInstanceOf(InvalidInputException.class)
                .hasMessage("fetched 1 bytes from offset -1 for an artifact of 0");
    }
}
