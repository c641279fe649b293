package io.flock.coordinator.lease;

import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.LeaseRow;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's lease on one model, kept in the shared store: the replica holding it runs the model's training loop, and
 * when it stops renewing another replica takes over once the lease expires.
 *
 * <p>Use: call {@link #tryAcquire()} about every ttl/3 (there is no background thread: renewing is the caller's job),
 * check {@link #held()} before each step that must have a single runner, tag writes with {@link #epoch()} as a fencing
 * token, and {@link #release()} on shutdown so another replica need not wait out the ttl.
 *
 * <p>{@link #held()} trusts this replica's clock: it answers false {@code margin} before the stored expiry, which must
 * cover clock skew between replicas and the time a step takes to notice. Thread-safe.
 */
public final class ModelLease {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLease.class);
    private final FlockStore store;
    private final String model;
    private final String replica;
    private final Duration ttl;
    private final Duration margin;
    private final Clock clock;
    /** the epoch held, 0 while not held */
    private long epoch;
    /** the stored expiry of the lease held, Unix ms */
    private long expiresMs;

    /**
     * @param replica this replica's id, non-empty and unique among replicas (a random id per process will do)
     * @param ttl     how long a lease lasts without renewal, positive
     * @param margin  how long before the stored expiry {@link #held()} turns false, in [0, ttl)
     */
    public ModelLease(FlockStore store, String model, String replica, Duration ttl, Duration margin, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.model = Objects.requireNonNull(model, "model");
        this.replica = Objects.requireNonNull(replica, "replica");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.margin = Objects.requireNonNull(margin, "margin");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (replica.isEmpty()) {
            throw new IllegalArgumentException("replica id must not be empty");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease ttl must be positive: " + ttl);
        }
        if (margin.isNegative() || margin.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("lease margin must be in [0, ttl=" + ttl + "): " + margin);
        }
    }

    /**
     * Takes the lease if it is free or expired, or renews it if this replica holds it. Logs when the lease is gained or
     * lost. A store failure propagates and changes nothing: a lease held keeps expiring by the clock.
     *
     * @return whether this replica holds the lease now
     */
    public synchronized boolean tryAcquire() {
        Optional<LeaseRow> row = store.tryAcquireLease(model, replica, clock.millis(), ttl.toMillis());
        if (row.isEmpty()) {
            if (epoch != 0) {
                lost("lease lost", "taken by another replica");
            }
            return false;
        }
        if (row.get().epoch() != epoch) {
            LOG.info("model={} replica={} lease acquired epoch={} ttl={}", model, replica, row.get().epoch(),
                    ttl.toMillis() % 1000 == 0 ? ttl.toSeconds() + "s" : ttl.toMillis() + "ms");
        }
        epoch = row.get().epoch();
        expiresMs = row.get().expiresMs();
        return true;
    }

    /** @return whether this replica holds the lease and, by the clock, is more than the margin before its expiry */
    public synchronized boolean held() {
        if (epoch != 0 && clock.millis() >= expiresMs - margin.toMillis()) {
            lost("lease lost", "expired");
        }
        return epoch != 0;
    }

    /** @return the epoch (fencing token, from 1) of the lease this replica holds, 0 when it holds none */
    public synchronized long epoch() {
        return held() ? epoch : 0;
    }

    /** Releases the lease if this replica holds it (another replica can take it at once); idempotent. */
    public synchronized void release() {
        if (epoch == 0) {
            return;
        }
        boolean released = store.releaseLease(model, replica, epoch);
        lost(released ? "lease released" : "lease lost", released ? "release" : "taken by another replica");
    }

    /** @return the model this lease is for */
    public String model() {
        return model;
    }

    /** @return this replica's id */
    public String replica() {
        return replica;
    }

    private void lost(String what, String why) {
        LOG.info("model={} replica={} {} epoch={} reason={}", model, replica, what, epoch, why);
        epoch = 0;
        expiresMs = 0;
    }
}
