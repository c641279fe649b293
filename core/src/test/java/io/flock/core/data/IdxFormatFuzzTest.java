package io.flock.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link IdxFormat#read(java.io.InputStream, String, long)}: any bytes read as an array whose dimensions hold
 * exactly its data, or are refused with {@link InvalidInputException} or {@link CapacityExceededException}. No data
 * limit: a header may claim up to 2 GiB, so a read that allocated by the claim would run out of the fuzz JVM's 1 GiB heap.
 */
class IdxFormatFuzzTest {

    static Stream<byte[]> seeds() {
        return Stream.of(new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9},
                new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4},
                new byte[] {0, 0, 8, 2, 0x7f, 0, 0, 0, 0x7f, 0, 0, 0, 1});
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "3s")
    void read_anyBytes_readsOrRefuses(byte[] input) throws IOException {
        try {
            IdxFormat.IdxArray a = IdxFormat.read(new ByteArrayInputStream(input), "fuzz", Long.MAX_VALUE);
            long count = 1;
            for (int d : a.dims()) {
                assertThat(d).isNotNegative();
                count *= d;
            }
            assertThat((long) a.data().length).isEqualTo(count).isLessThanOrEqualTo(input.length);
        } catch (InvalidInputException | CapacityExceededException refused) {
            assertThat(refused.getMessage()).startsWith("fuzz");
        }
    }
}
