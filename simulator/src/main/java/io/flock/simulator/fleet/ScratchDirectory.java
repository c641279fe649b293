package io.flock.simulator.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A run's scratch directory (the coordinator's database and artifacts, every device's data and state): created
 * under the system temp directory and deleted with everything in it on {@link #close()}, unless the caller keeps
 * it to look inside. A simulation writes hundreds of MB there; without this, every run would leave it behind.
 */
public final class ScratchDirectory implements AutoCloseable {
    private final Path path;
    private final boolean keep;

    private ScratchDirectory(Path path, boolean keep) {
        this.path = path;
        this.keep = keep;
    }

    /**
     * @param prefix name prefix, e.g. "flock-sim-"
     * @param keep   true to leave the directory in place on close
     */
    public static ScratchDirectory create(String prefix, boolean keep) throws IOException {
        return new ScratchDirectory(Files.createTempDirectory(prefix), keep);
    }

    /** @return the directory */
    public Path path() {
        return path;
    }

    /** @return whether {@link #close()} leaves the directory in place */
    public boolean kept() {
        return keep;
    }

    /** Deletes the directory and everything under it, unless kept. */
    @Override
    public void close() {
        if (!keep) {
            deleteTree(path);
        }
    }

    /** Deletes a directory tree, depth first; a tree that is already gone is fine. */
    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // nothing left to delete
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete scratch directory " + root + ": " + e.getMessage(), e);
        }
    }
}
