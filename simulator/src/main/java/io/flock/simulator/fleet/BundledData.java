package io.flock.simulator.fleet;

import io.flock.core.FlockException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds Fashion-MNIST: the full set of the Debian package {@code dataset-fashion-mnist} when it is
 * installed, else the stratified subset bundled in the repository ({@code datasets/fashion-mnist-subset},
 * found under {@code -Dflock.home} or the working directory and its parent).
 */
public final class BundledData {
    /** Where the Debian package installs the full dataset. */
    public static final Path SYSTEM = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String SUBSET = "datasets/fashion-mnist-subset";

    private BundledData() {
    }

    /** @return a directory holding train-* and t10k-* IDX files */
    public static Path fashionMnist() {
        if (Files.exists(SYSTEM.resolve("train-images-idx3-ubyte.gz"))) {
            return SYSTEM;
        }
        return subset();
    }

    /** @return the bundled subset directory */
    public static Path subset() {
        String home = System.getProperty("flock.home", "");
        for (Path candidate : new Path[] {Path.of(home, SUBSET), Path.of(SUBSET), Path.of("..", SUBSET)}) {
            if (Files.exists(candidate.resolve("train-images-idx3-ubyte.gz"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new FlockException("no Fashion-MNIST found: install the Debian package dataset-fashion-mnist or run from the repository");
    }
}
