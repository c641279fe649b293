package io.flock.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secure coordinator refuses to start when a private key or token file it made is open to group or others (issue 24,
 * test 9): the signing key, the CA key, the coordinator's TLS key, the admin token and the apps' token. The refusal
 * names the file and the fix; once the file is owner-only again the coordinator starts.
 */
@Timeout(180)
class KeyFilePermissionsIT {
    @TempDir
    Path dir;

    @Test
    void start_keyOrTokenFileOpenToOthers_configExceptionNamingTheFileAndChmod600() throws Exception {
        CoordinatorConfig config = SecureCoordinator.config(SecureCoordinator.settings(dir.resolve("coordinator"), "keys-mlp"));
        new CoordinatorServer(config).start().close();
        Path keys = dir.resolve("coordinator/keys");
        List<Path> secrets = List.of(keys.resolve("signing-key.pk8"), keys.resolve("ca/ca-key.pk8"),
                keys.resolve("ca/coordinator/device-key.pk8"), keys.resolve("admin-token"), keys.resolve("app-token"));

        for (Path file : secrets) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s as made", file).isEqualTo("rw-------");
            for (String wider : List.of("rw-r--r--", "rw-rw----", "rw-----w-")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(wider));

                assertThatThrownBy(() -> new CoordinatorServer(config).start()).as("%s %s", file, wider)
                        .isInstanceOf(ConfigException.class).hasMessageContaining(file.toAbsolutePath().toString())
                        .hasMessageContaining(wider).hasMessageContaining("chmod 600");
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }

        try (CoordinatorServer again = new CoordinatorServer(config).start()) {
            assertThat(again.security()).isPresent();
        }
    }

    @Test
    void start_refusedForAKeyFile_leavesNoDatabaseSessionOpen() throws Exception {
        CoordinatorConfig config = SecureCoordinator.config(SecureCoordinator.settings(dir.resolve("coordinator"), "leak-mlp"));
        new CoordinatorServer(config).start().close();
        assertThat(sessions(config)).as("after a clean close, this query's session only").isEqualTo(1);
        Files.setPosixFilePermissions(dir.resolve("coordinator/keys/admin-token"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> new CoordinatorServer(config).start()).isInstanceOf(ConfigException.class);

        assertThat(sessions(config)).as("sessions on the database, this query's included").isEqualTo(1);
    }

    /** @return the sessions open on the coordinator's H2 database, counting the one that asks */
    private static int sessions(CoordinatorConfig config) throws Exception {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl());
             ResultSet sessions = c.createStatement().executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
            sessions.next();
            return sessions.getInt(1);
        }
    }
}
