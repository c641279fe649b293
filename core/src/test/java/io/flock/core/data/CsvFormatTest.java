package io.flock.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows without feature values (found by CsvFormatFuzzTest) are refused naming the line; a one-column header is still skipped. */
class CsvFormatTest {
    @TempDir
    Path dir;

    @Test
    void read_labelledRowOfOnlyCommas_isRefusedNamingTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve("commas.csv"), "1,2,0\n,\n");

        assertThatThrownBy(() -> CsvFormat.read(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageEndingWith("commas.csv:2 has no feature values");
    }

    @Test
    void read_labelledRowOfOnlyALabel_isRefusedNamingTheLine() throws Exception {
        Path file = Files.writeString(dir.resolve("label.csv"), "label\n3\n");

        assertThatThrownBy(() -> CsvFormat.read(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageEndingWith("label.csv:2 has no feature values");
    }

    @Test
    void readRows_rowOfOnlyCommas_isRefusedNamingTheLine() {
        BufferedReader in = new BufferedReader(new StringReader("x\n,,\n"));

        assertThatThrownBy(() -> CsvFormat.readRows(in, "set", 10)).isInstanceOf(InvalidInputException.class)
                .hasMessage("set:2 has no feature values");
    }

    @Test
    void readRows_headerThenRows_readsTheRows() throws Exception {
        RawRows rows = CsvFormat.readRows(new BufferedReader(new StringReader("a,b\n1,2\n3,4\n")), "set", 10);

        assertThat(rows.rows()).isEqualTo(2);
        assertThat(rows.values()).containsExactly(1, 2, 3, 4);
    }
}
