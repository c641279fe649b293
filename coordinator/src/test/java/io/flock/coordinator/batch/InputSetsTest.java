package io.flock.coordinator.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.registry.ModelNotFoundException;
import io.flock.core.CapacityExceededException;
import io.flock.core.InvalidInputException;
import io.flock.core.data.IdxFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSetsTest {
    private static final byte[] GOOD = "a,b,c,d\n1,2,3,4\n5,6,7,8\n".getBytes(StandardCharsets.US_ASCII);
    @TempDir
    Path dir;
    private BatchFixture fx;
    private InputSets sets;
    private final List<String> told = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        fx = new BatchFixture(dir);
        fx.promoteNew("m");
        sets = new InputSets(fx.store, fx.registry, Set.of("m"), 100, 4096);
        sets.addListener(told::add);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void register_csvWithHeader_storedAndListedNotComputedYet() {
        InputSet s = sets.register("s1", "m", "csv", GOOD);

        assertThat(s.rows()).isEqualTo(2);
        assertThat(s.features()).isEqualTo(4);
        assertThat(sets.list()).singleElement().satisfies(l -> {
            assertThat(l.name()).isEqualTo("s1");
            assertThat(l.computed()).isNull();
        });
        assertThat(told).containsExactly("s1");
        assertThatThrownBy(() -> sets.result("s1")).isInstanceOf(BatchNotReadyException.class).hasMessageContaining("not computed yet");
        assertThatThrownBy(() -> sets.result("nope")).isInstanceOf(InputSetNotFoundException.class);
    }

    @Test
    void register_gzippedIdx_readByTheCoreReader() throws Exception {
        Path idx = dir.resolve("inputs-idx3-ubyte.gz");
        IdxFormat.write(idx, new int[] {3, 2, 2}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (byte) 255});

        InputSet s = sets.register("images", "m", "idx", Files.readAllBytes(idx));

        assertThat(s.rows()).isEqualTo(3);
        assertThat(s.format()).isEqualTo(InputFormat.IDX);
        assertThat(sets.rows(s).row(2)).containsExactly(9, 10, 11, 255);
    }

    @Test
    void register_hostileFiles_clearErrorsAndNothingStored() throws Exception {
        sets.register("kept", "m", "csv", GOOD);
        told.clear();

        assertThatThrownBy(() -> sets.register("kept", "m", "csv", "1,2,3\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("3 features per row; model m takes 4");
        assertThatThrownBy(() -> sets.register("kept", "m", "csv", "1,2,3,NaN\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> sets.register("kept", "m", "csv", "1,2,3,Infinity\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> sets.register("kept", "m", "csv", new byte[0])).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no rows");
        assertThatThrownBy(() -> sets.register("kept", "other", "csv", GOOD)).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("not served here");
        assertThatThrownBy(() -> sets.register("kept", "m", "csv", new byte[5000])).isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("batch.max-set-bytes=4096");
        assertThatThrownBy(() -> sets.register("kept", "m", "csv", "1,2,3,4\n".repeat(101).getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(CapacityExceededException.class).hasMessageContaining("more than 100 rows");
        assertThatThrownBy(() -> sets.register("kept", "m", "csv", gzip(new byte[1 << 20]))).as("a gzip bomb")
                .isInstanceOf(CapacityExceededException.class).hasMessageContaining("decompresses to more than");
        assertThatThrownBy(() -> sets.register("kept", "m", "idx", GOOD)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not an unsigned-byte IDX");
        assertThatThrownBy(() -> sets.register("kept", "m", "xml", GOOD)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("format must be csv or idx");
        assertThatThrownBy(() -> sets.register("../x", "m", "csv", GOOD)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> sets.register("x".repeat(500), "m", "csv", GOOD)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("limit of 128");

        assertThat(sets.list()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("kept");
            assertThat(s.rows()).isEqualTo(2);
        });
        assertThat(told).isEmpty();
    }

    private static byte[] gzip(byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        }
        return out.toByteArray();
    }
}
