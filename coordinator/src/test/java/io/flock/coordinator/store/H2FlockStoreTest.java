package io.flock.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2FlockStoreTest extends StoreContract {
    @TempDir
    Path dir;
    private JdbcFlockStore store;

    @BeforeEach
    void open() {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aFileMadeWithVarbinaryColumns_isConvertedToBlobs_andKeepsItsRows() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("old");
        byte[] bytes = new byte[2_000];
        bytes[3] = 9;
        try (var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute("CREATE TABLE artifacts (sha256 VARCHAR(64) PRIMARY KEY, codec VARCHAR(64) NOT NULL,"
                    + " size_bytes BIGINT NOT NULL, bytes VARBINARY NOT NULL)");
            try (var p = c.prepareStatement("INSERT INTO artifacts VALUES ('a', 'fp32', 2000, ?)")) {
                p.setBytes(1, bytes);
                p.execute();
            }
        }

        try (JdbcFlockStore old = new JdbcFlockStore(url)) {
            assertThat(old.artifact("a")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        }
        try (var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement();
             var rs = s.executeQuery("SELECT TABLE_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE COLUMN_NAME IN"
                     + " ('BYTES', 'OPTIMIZER_STATE', 'PAYLOAD', 'FILE', 'SIGNATURE')")) {
            java.util.Map<String, String> types = new java.util.TreeMap<>();
            while (rs.next()) {
                types.merge(rs.getString(1), rs.getString(2), (x, y) -> x + "," + y);
            }
            assertThat(types).containsEntry("ARTIFACTS", "BINARY LARGE OBJECT").containsEntry("MODEL_VERSIONS", "BINARY LARGE OBJECT")
                    .containsEntry("CLIENT_UPDATES", "BINARY LARGE OBJECT").containsEntry("VERSION_VARIANTS", "BINARY VARYING");
        }
    }

    @Override
    FlockStore store() {
        return store;
    }

    @Override
    String model() {
        return "m";
    }
}
