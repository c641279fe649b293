package io.flock.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link CsvFormat}: any text reads as rows of one width of finite values (raw rows, as a batch input set is
 * read, or labelled rows from a file), or is refused with {@link InvalidInputException} or
 * {@link CapacityExceededException}. An input's first byte picks the reader: even for raw rows, odd for labelled.
 */
class CsvFormatFuzzTest {
    private static final int MAX_ROWS = 64;
    private static final Path FILE = temporaryFile();

    static Stream<byte[]> seeds() {
        return Stream.of("\0a,b,c\n1,2,3\n4,5,6\n", "\1x,y,label\n0.5,1,0\n-2,3e-2,1\n\n7,8,2\n", "\0 1.5 , 2\n3,4\n", "\1,\n")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "3s")
    void read_anyText_readsOrRefuses(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        try {
            if ((input[0] & 1) == 0) {
                RawRows rows = CsvFormat.readRows(new BufferedReader(new StringReader(text)), "fuzz", MAX_ROWS);
                assertThat(rows.rows()).isBetween(0, MAX_ROWS);
            } else {
                Files.writeString(FILE, text);
                FloatDataset data = CsvFormat.read(FILE);
                for (int i = 0; i < data.size(); i++) {
                    assertThat(data.label(i)).isNotNegative();
                }
            }
        } catch (InvalidInputException | CapacityExceededException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    private static Path temporaryFile() {
        try {
            Path file = Files.createTempFile("flock-csv-fuzz", ".csv");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
