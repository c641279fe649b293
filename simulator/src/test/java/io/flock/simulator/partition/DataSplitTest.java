package io.flock.simulator.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.simulator.fleet.BundledData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSplitTest {
    @TempDir
    Path dir;

    @Test
    void split_writesOneIdxPairPerDevice_coveringTheSetOnce() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<Path> dirs = new DataSplit(new PrintStream(console, true)).split(BundledData.subset(), 3, "dirichlet:0.5", 0, dir);

        int total = 0;
        for (Path d : dirs) {
            ByteDataset part = IdxFormat.readLabelled(d.resolve("train-images-idx3-ubyte"), d.resolve("train-labels-idx1-ubyte"));
            assertThat(part.featureCount()).isEqualTo(784);
            total += part.size();
        }
        assertThat(dirs).extracting(p -> p.getFileName().toString()).containsExactly("device-001", "device-002", "device-003");
        assertThat(total).isEqualTo(IdxFormat.readLabelled(BundledData.subset().resolve("train-images-idx3-ubyte.gz"),
                BundledData.subset().resolve("train-labels-idx1-ubyte.gz")).size());
        assertThat(console.toString()).contains("over 3 devices");
    }

    @Test
    void badOptions_nameTheOption_andWriteNothing() {
        DataSplit split = new DataSplit(new PrintStream(new ByteArrayOutputStream()));

        assertThatThrownBy(() -> split.split(BundledData.subset(), 0, "iid", 0, dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--devices");
        assertThatThrownBy(() -> split.split(BundledData.subset(), 2, "dirichlet:-1", 0, dir)).hasMessageContaining("--partition");
        assertThatThrownBy(() -> split.split(BundledData.subset(), 2, "zipf", 0, dir)).hasMessageContaining("--partition");
        assertThatThrownBy(() -> split.split(dir.resolve("nothing"), 2, "iid", 0, dir)).hasMessageContaining("--data");
        assertThat(dir.toFile().list()).isEmpty();
    }
}
