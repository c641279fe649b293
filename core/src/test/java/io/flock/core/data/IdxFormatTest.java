package io.flock.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatTest {
    @TempDir
    Path dir;

    @Test
    void read_handWrittenHeader_givesDimsAndBytes() throws Exception {
        // magic 0x00000803 (ubyte, rank 3), dims 2 x 2 x 1, then 4 bytes
        Path f = dir.resolve("images");
        Files.write(f, new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 10, (byte) 200, 0, (byte) 255});

        IdxFormat.IdxArray a = IdxFormat.read(f);

        assertThat(a.dims()).containsExactly(2, 2, 1);
        assertThat(a.data()).containsExactly(10, (byte) 200, 0, (byte) 255);
    }

    @Test
    void readLabelled_gzipRoundTrip_keepsPixelsAsUnsigned() throws Exception {
        ByteDataset d = new ByteDataset(new byte[] {0, (byte) 255, 7, 8}, new byte[] {3, 9}, 2);
        IdxFormat.writeLabelled(d, 1, 2, dir.resolve("i.gz"), dir.resolve("l.gz"));

        ByteDataset back = IdxFormat.readLabelled(dir.resolve("i.gz"), dir.resolve("l.gz"));

        float[] row = new float[2];
        back.copyRawFeatures(0, row, 0);
        assertThat(row).containsExactly(0f, 255f);
        assertThat(back.labels()).containsExactly(3, 9);
        assertThat(back.classCount()).isEqualTo(10);
    }

    @Test
    void read_badMagicOrTruncated_failsNamingTheFile() throws Exception {
        Path bad = dir.resolve("bad");
        Files.write(bad, new byte[] {0, 0, 13, 1, 0, 0, 0, 1, 5});
        Path short1 = dir.resolve("short");
        Files.write(short1, new byte[] {0, 0, 8, 1, 0, 0, 0, 4, 1, 2});

        assertThatThrownBy(() -> IdxFormat.read(bad)).isInstanceOf(InvalidInputException.class).hasMessageContaining("bad");
        assertThatThrownBy(() -> IdxFormat.read(short1)).hasMessageContaining("truncated, 2 of 4");
    }

    @Test
    void readLabelled_countMismatch_fails() throws Exception {
        IdxFormat.write(dir.resolve("i"), new int[] {2, 1}, new byte[] {1, 2});
        IdxFormat.write(dir.resolve("l"), new int[] {3}, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> IdxFormat.readLabelled(dir.resolve("i"), dir.resolve("l"))).hasMessageContaining("3 labels");
    }

    @Test
    void csv_headerSkippedAndBadRowNamed() throws Exception {
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "a,b,label\n1,2,0\n3.5,4,1\n");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "1,2,0\n3,x,1\n");

        FloatDataset d = CsvFormat.read(ok);

        assertThat(d.size()).isEqualTo(2);
        float[] row = new float[2];
        d.copyRawFeatures(1, row, 0);
        assertThat(row).containsExactly(3.5f, 4f);
        assertThatThrownBy(() -> CsvFormat.read(bad)).hasMessageContaining("bad.csv:2");
    }

    @Test
    void csv_nonFiniteFeature_rejectedWithLine() throws Exception {
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "1,2,0\n3,NaN,1\n");

        assertThatThrownBy(() -> CsvFormat.read(nan)).hasMessageContaining("nan.csv:2 feature 1 is NaN");
        assertThatThrownBy(() -> new FloatDataset(new float[] {1f, Float.POSITIVE_INFINITY}, new int[] {0}, 2))
                .hasMessageContaining("sample 0 feature 1 is Infinity");
    }

    @Test
    void read_headerClaimingAGibibyteOverTenBytes_isRefusedWithoutAllocatingIt() {
        byte[] file = {0, 0, 8, 3, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());

        assertThatThrownBy(() -> IdxFormat.read(new java.io.ByteArrayInputStream(file), "claim", Long.MAX_VALUE))
                .isInstanceOf(InvalidInputException.class).hasMessage("claim: IDX data truncated, 10 of 1073741824 bytes");

        assertThat(threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before).isLessThan(1 << 20);
    }
}
