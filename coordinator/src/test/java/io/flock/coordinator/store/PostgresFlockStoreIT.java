package io.flock.coordinator.store;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The store contract against the real PostgreSQL on 127.0.0.1:5432 (database test, trust auth). */
class PostgresFlockStoreIT extends StoreContract {
    static final String URL = System.getProperty("flock.test.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private JdbcFlockStore store;
    private final String model = "it-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void open() {
        store = new JdbcFlockStore(URL);
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
        return model;
    }
}
