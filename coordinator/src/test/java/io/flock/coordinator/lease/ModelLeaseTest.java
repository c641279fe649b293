package io.flock.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.rollout.TestClock;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.store.LeaseRow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLeaseTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration MARGIN = Duration.ofSeconds(1);
    @TempDir
    Path dir;
    private FlockStore store;
    private final TestClock clock = new TestClock();
    private ModelLease a;
    private ModelLease b;

    @BeforeEach
    void open() {
        store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"));
        a = new ModelLease(store, "m", "a", TTL, MARGIN, clock);
        b = new ModelLease(store, "m", "b", TTL, MARGIN, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void tryAcquire_freeLease_firstAcquirerWinsWithEpochOne() {
        assertThat(a.tryAcquire()).isTrue();

        assertThat(a.held()).isTrue();
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(store.lease("m")).contains(new LeaseRow("m", "a", clock.millis() + TTL.toMillis(), 1));
    }

    @Test
    void tryAcquire_heldByAnother_refusedWhileValid() {
        a.tryAcquire();
        clock.advance(TTL.minusMillis(1));

        assertThat(b.tryAcquire()).isFalse();

        assertThat(b.held()).isFalse();
        assertThat(b.epoch()).isZero();
        assertThat(store.lease("m").orElseThrow().holder()).isEqualTo("a");
    }

    @Test
    void tryAcquire_afterExpiry_otherTakesOverWithNextEpoch() {
        a.tryAcquire();
        clock.advance(TTL);

        assertThat(b.tryAcquire()).isTrue();

        assertThat(b.epoch()).isEqualTo(2);
        assertThat(a.held()).isFalse();
        assertThat(a.tryAcquire()).isFalse();
    }

    @Test
    void tryAcquire_byHolder_renewsKeepingEpochAndExtending() {
        a.tryAcquire();
        clock.advance(Duration.ofSeconds(5));

        assertThat(a.tryAcquire()).isTrue();
        clock.advance(Duration.ofSeconds(8));

        assertThat(a.held()).isTrue();
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(b.tryAcquire()).isFalse();
        assertThat(store.lease("m").orElseThrow().expiresMs()).isEqualTo(clock.millis() - 8_000 + TTL.toMillis());
    }

    @Test
    void releaseLease_staleEpoch_changesNothing() {
        a.tryAcquire();
        clock.advance(TTL);
        b.tryAcquire();

        assertThat(store.releaseLease("m", "b", 1)).isFalse();
        assertThat(store.releaseLease("m", "a", 1)).isFalse();

        assertThat(store.lease("m")).contains(new LeaseRow("m", "b", clock.millis() + TTL.toMillis(), 2));
    }

    @Test
    void release_byHolder_freesItAndNextHolderGetsHigherEpoch() {
        a.tryAcquire();

        a.release();

        assertThat(a.held()).isFalse();
        assertThat(store.lease("m")).isEmpty();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.epoch()).isEqualTo(2);
    }

    @Test
    void held_pastExpiryMinusMarginByTheClock_false() {
        a.tryAcquire();
        clock.advance(TTL.minus(MARGIN).minusMillis(1));
        assertThat(a.held()).isTrue();

        clock.advance(Duration.ofMillis(1));

        assertThat(a.held()).isFalse();
        assertThat(a.epoch()).isZero();
    }

    @Test
    void tryAcquireLease_racingStoresOnOneH2File_neverTwoHolders() throws InterruptedException {
        try (FlockStore second = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("db"))) {
            List<LeaseRace.Grant> grants = LeaseRace.run(List.of(store, second), "race", 4, 100, 5);

            assertThat(LeaseRace.assertExclusive(grants)).isPositive();
        }
    }
}
