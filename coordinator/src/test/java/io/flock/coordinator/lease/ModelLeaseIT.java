package io.flock.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.JdbcFlockStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leases between two stores (two connections, as two coordinator processes would have) on the real PostgreSQL. */
class ModelLeaseIT {
    static final String URL = System.getProperty("flock.test.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private final String model = "lease-it-" + UUID.randomUUID().toString().substring(0, 8);
    private FlockStore first;
    private FlockStore second;

    @BeforeEach
    void open() {
        first = new JdbcFlockStore(URL);
        second = new JdbcFlockStore(URL);
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    @Test
    void tryAcquireLease_eightReplicasOnTwoConnections_neverTwoHoldersAtOnce() throws InterruptedException {
        long started = System.nanoTime();

        List<LeaseRace.Grant> grants = LeaseRace.run(List.of(first, second), model, 8, 200, 5);

        int takeovers = LeaseRace.assertExclusive(grants);
        System.out.printf("lease race: %d grants, %d takeovers in %d ms%n", grants.size(), takeovers,
                (System.nanoTime() - started) / 1_000_000);
        assertThat(takeovers).isGreaterThan(10);
    }

    @Test
    void tryAcquire_holderStopsRenewing_otherTakesOverWithinTtl() throws InterruptedException {
        Duration ttl = Duration.ofMillis(500);
        ModelLease a = new ModelLease(first, model, "a", ttl, Duration.ofMillis(50), Clock.systemUTC());
        ModelLease b = new ModelLease(second, model, "b", ttl, Duration.ofMillis(50), Clock.systemUTC());
        assertThat(a.tryAcquire()).isTrue();
        long lastRenewal = System.currentTimeMillis();
        long epochA = a.epoch();

        long takenAt = 0;
        while (takenAt == 0 && System.currentTimeMillis() - lastRenewal < 5 * ttl.toMillis()) {
            if (b.tryAcquire()) {
                takenAt = System.currentTimeMillis();
            }
            Thread.sleep(20);
        }

        assertThat(takenAt - lastRenewal).as("takeover after the holder's last renewal, ms").isBetween(ttl.toMillis() - 1,
                ttl.toMillis() + 100);
        assertThat(b.epoch()).isEqualTo(epochA + 1);
        assertThat(a.held()).isFalse();
        assertThat(a.tryAcquire()).isFalse();
    }

    @Test
    void lease_takenThroughOneStore_seenThroughTheOther() {
        ModelLease a = new ModelLease(first, model, "a", Duration.ofSeconds(10), Duration.ofSeconds(1), Clock.systemUTC());

        assertThat(a.tryAcquire()).isTrue();

        assertThat(second.lease(model)).hasValueSatisfying(row -> {
            assertThat(row.holder()).isEqualTo("a");
            assertThat(row.epoch()).isEqualTo(1);
        });
        a.release();
        assertThat(second.lease(model)).isEmpty();
    }
}
