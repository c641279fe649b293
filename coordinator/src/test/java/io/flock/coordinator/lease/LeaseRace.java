package io.flock.coordinator.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.LeaseRow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/** Replicas racing for one lease through several stores (connections), and the check that no two ever held it at once. */
final class LeaseRace {
    /** One successful acquire: held from when the call returned until the stored expiry. */
    record Grant(String holder, long epoch, long fromMs, long untilMs) {
    }

    private LeaseRace() {
    }

    /** Runs {@code threads} replicas (thread i is replica "r" + i on store i mod stores), each trying {@code attempts} times. */
    static List<Grant> run(List<FlockStore> stores, String model, int threads, int attempts, long ttlMs) throws InterruptedException {
        List<Grant> grants = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            FlockStore store = stores.get(i % stores.size());
            String holder = "r" + i;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int a = 0; a < attempts; a++) {
                        Optional<LeaseRow> row = store.tryAcquireLease(model, holder, System.currentTimeMillis(), ttlMs);
                        long returned = System.currentTimeMillis();
                        row.ifPresent(r -> grants.add(new Grant(r.holder(), r.epoch(), returned, r.expiresMs())));
                        Thread.sleep(ThreadLocalRandom.current().nextLong(2 * ttlMs + 1));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "lease-race-" + holder);
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread t : workers) {
            t.join();
        }
        assertThat(errors).isEmpty();
        return grants;
    }

    /**
     * Asserts each epoch had one holder, epochs went up by one per takeover from 1, and the validity of different epochs
     * never overlapped (the next holder's first grant came after the last expiry of the one before).
     *
     * @return how many takeovers there were
     */
    static int assertExclusive(List<Grant> grants) {
        Map<Long, List<Grant>> byEpoch = new TreeMap<>();
        grants.forEach(g -> byEpoch.computeIfAbsent(g.epoch(), e -> new ArrayList<>()).add(g));
        assertThat(byEpoch.keySet()).first().isEqualTo(1L);
        long expected = 1;
        String previousHolder = null;
        long previousUntil = Long.MIN_VALUE;
        for (var e : byEpoch.entrySet()) {
            assertThat(e.getKey()).as("epochs without gaps").isEqualTo(expected++);
            List<Grant> held = e.getValue();
            assertThat(held).as("one holder in epoch %d", e.getKey()).extracting(Grant::holder).containsOnly(held.get(0).holder());
            assertThat(held.get(0).holder()).as("a new epoch is a new holder").isNotEqualTo(previousHolder);
            long from = held.stream().mapToLong(Grant::fromMs).min().orElseThrow();
            assertThat(from).as("epoch %d starts after epoch %d ended", e.getKey(), e.getKey() - 1).isGreaterThanOrEqualTo(previousUntil);
            previousHolder = held.get(0).holder();
            previousUntil = held.stream().mapToLong(Grant::untilMs).max().orElseThrow();
        }
        return byEpoch.size() - 1;
    }
}
