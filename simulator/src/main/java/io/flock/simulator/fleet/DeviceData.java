package io.flock.simulator.fleet;

import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a simulated device's private partition where its agent reads it: an IDX pair in its own directory. */
public final class DeviceData {
    private DeviceData() {
    }

    /** @return {@code dir}, now holding train-images-idx3-ubyte and train-labels-idx1-ubyte (what an agent's data-dir reads) */
    public static Path write(ByteDataset partition, Path dir) throws IOException {
        Files.createDirectories(dir);
        int side = (int) Math.round(Math.sqrt(partition.featureCount()));
        int rows = side * side == partition.featureCount() ? side : 1;
        int cols = partition.featureCount() / rows;
        IdxFormat.writeLabelled(partition, rows, cols, dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-labels-idx1-ubyte"));
        return dir;
    }
}
