package io.flock.agent.artifact;

import io.flock.proto.v1.ModelAnnouncement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Keeps the last good (verified and loaded) model on disk, so a restarted agent serves at once.
 * Files are replaced atomically; what is read back is verified again before use.
 */
final class DiskModelStore {
    private final Path dir;

    DiskModelStore(Path dir) {
        this.dir = dir;
    }

    /** A stored model: its announcement and artifact bytes. */
    record Stored(ModelAnnouncement announcement, byte[] artifact) {
    }

    void save(ModelAnnouncement announcement, byte[] artifact) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("current.artifact"), artifact);
        write(dir.resolve("current.announcement"), announcement.toByteArray());
    }

    Optional<Stored> load() throws IOException {
        Path a = dir.resolve("current.announcement");
        Path b = dir.resolve("current.artifact");
        if (!Files.exists(a) || !Files.exists(b)) {
            return Optional.empty();
        }
        return Optional.of(new Stored(ModelAnnouncement.parseFrom(Files.readAllBytes(a)), Files.readAllBytes(b)));
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
