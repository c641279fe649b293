package io.flock.core.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flock.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing key at rest: owner-only on creation, refused when someone widened it, reused when it is right. */
class Ed25519SignerTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX file permissions");
    }

    @Test
    void loadOrCreate_noKey_writesThePrivateKeyOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        Path keys = dir.resolve("data").resolve("keys");

        Ed25519Signer.loadOrCreate(keys);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("signing-key.pk8")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
        try (var files = Files.list(keys)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .containsExactlyInAnyOrder("signing-key.pk8", Ed25519Signer.PUBLIC_KEY_FILE);
        }
    }

    @Test
    void loadOrCreate_ownerOnlyKey_isReused() throws Exception {
        byte[] first = Ed25519Signer.loadOrCreate(dir).publicKey();

        assertThat(Ed25519Signer.loadOrCreate(dir).publicKey()).isEqualTo(first);
    }

    @Test
    void loadOrCreate_worldReadableKey_isRefusedNamingTheFileItsPermissionsAndTheFix() throws Exception {
        Ed25519Signer.loadOrCreate(dir);
        Path priv = dir.resolve("signing-key.pk8");
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> Ed25519Signer.loadOrCreate(dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(priv.toAbsolutePath().toString()).hasMessageContaining("rw-r--r--").hasMessageContaining("644")
                .hasMessageContaining("chmod 600 " + priv.toAbsolutePath());
    }

    @Test
    void loadOrCreate_groupReadableKey_isRefused() throws Exception {
        Ed25519Signer.loadOrCreate(dir);
        Files.setPosixFilePermissions(dir.resolve("signing-key.pk8"), PosixFilePermissions.fromString("rw-r-----"));

        assertThatThrownBy(() -> Ed25519Signer.loadOrCreate(dir)).isInstanceOf(ConfigException.class).hasMessageContaining("640");
    }
}
