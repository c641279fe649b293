package io.flock.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store on the real PostgreSQL when the server drops its connection (as a restart does): the call in flight fails
 * with StoreUnavailableException (UNAVAILABLE on the wire) and changes nothing, the next call reconnects, and a sealed
 * round takes no more updates.
 */
class StoreReconnectIT {
    private final String app = "flock-reconnect-" + UUID.randomUUID().toString().substring(0, 8);
    private final String model = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private JdbcFlockStore store;

    @BeforeEach
    void open() {
        store = new JdbcFlockStore(PostgresFlockStoreIT.URL + "&ApplicationName=" + app);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private int terminateConnections() throws Exception {
        try (var c = DriverManager.getConnection(PostgresFlockStoreIT.URL);
             var ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, app);
            try (var rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                return n;
            }
        }
    }

    private StoredUpdate update(String device) {
        // device ids unique to the test: the updates' key (device, idempotency key) spans models in the shared database
        return new StoredUpdate(model, 1, model + "-" + device, "k-" + device, 10, 1, "fp32", new byte[] {1, 2, 3}, 1L);
    }

    @Test
    void connectionDropped_callFailsUnavailable_thenTheNextCallReconnects() throws Exception {
        store.openRound(new RoundRecord(model, 1, 1, List.of("a", "b"), RoundRecord.OPEN, 1L));
        assertThat(terminateConnections()).isEqualTo(1);

        assertThatThrownBy(() -> store.saveUpdate(update("a"))).isInstanceOf(StoreUnavailableException.class);
        assertThat(store.saveUpdate(update("b"))).isEqualTo(StoredUpdate.Outcome.SAVED);

        assertThat(store.updatedDevices(model, 1)).containsExactly(model + "-b");
        assertThat(store.saveUpdate(update("a"))).as("the refused upload, retried").isEqualTo(StoredUpdate.Outcome.SAVED);
    }

    @Test
    void sealedRound_takesNoUpdate_untilUnsealed() {
        store.openRound(new RoundRecord(model, 1, 1, List.of("a", "b"), RoundRecord.OPEN, 1L));
        assertThat(store.sealRound(model, 1, true)).isTrue();

        assertThat(store.saveUpdate(update("a"))).isEqualTo(StoredUpdate.Outcome.ROUND_CLOSED);
        assertThat(store.updatedDevices(model, 1)).isEmpty();
        assertThat(store.sealRound(model, 1, false)).isTrue();
        assertThat(store.saveUpdate(update("a"))).isEqualTo(StoredUpdate.Outcome.SAVED);
        store.finishRound(model, 1, RoundRecord.CLOSED, 1, Double.NaN);
        assertThat(store.saveUpdate(update("b"))).as("a finished round").isEqualTo(StoredUpdate.Outcome.ROUND_CLOSED);
        assertThat(store.sealRound(model, 1, true)).as("only an OPEN round seals").isFalse();
    }
}
