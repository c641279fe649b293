package io.flock.simulator.fleet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoryTest {
    @Test
    void closeDeletesTheTreeButNotWhatALinkPointsAt(@TempDir Path outside) throws Exception {
        Path target = Files.writeString(outside.resolve("precious.txt"), "keep me");
        Path root;
        try (ScratchDirectory work = ScratchDirectory.create("flock-test-", false)) {
            root = work.path();
            Path device = Files.createDirectories(root.resolve("devices").resolve("device-0007").resolve("models"));
            Files.write(device.resolve("model-3.flk"), new byte[4096]);
            Files.writeString(root.resolve("coordinator.mv.db"), "h2");
            Files.createSymbolicLink(root.resolve("link-to-outside"), target);
            assertTrue(Files.isDirectory(root));
        }
        assertFalse(Files.exists(root), "the scratch directory is gone");
        assertTrue(Files.exists(target), "a file a link pointed at is left alone");
    }

    @Test
    void keptDirectoryStays() throws Exception {
        Path root;
        try (ScratchDirectory work = ScratchDirectory.create("flock-test-", true)) {
            root = work.path();
            Files.writeString(root.resolve("state.json"), "{}");
        }
        assertTrue(Files.exists(root.resolve("state.json")));
        ScratchDirectory.deleteTree(root);
        assertFalse(Files.exists(root));
    }

    @Test
    void treeAlreadyGoneIsFine() throws Exception {
        ScratchDirectory work = ScratchDirectory.create("flock-test-", false);
        Files.delete(work.path());
        assertDoesNotThrow(work::close);
    }
}
