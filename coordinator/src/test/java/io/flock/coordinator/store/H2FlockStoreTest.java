package io.flock.coordinator.store;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

    @Override
    FlockStore store() {
        return store;
    }

    @Override
    String model() {
        return "m";
    }
}
