package io.flock.coordinator.lease;

import io.flock.core.config.ConfigException;
import java.time.Duration;
import java.util.Locale;

/**
 * Whether coordinator replicas share the store, and their model leases.
 *
 * @param mode      {@code auto} (on with PostgreSQL, off with the embedded H2 store, which one process opens), {@code on}
 *                  or {@code off} (key {@code lease.mode})
 * @param ttl       how long a lease lasts unrenewed: the holder renews it every ttl/3, and a replica takes over at most
 *                  about ttl + ttl/3 after the holder died (key {@code lease.ttl}, at least 1 s)
 * @param replicaId this replica's name in the leases table; empty = host name, process id and a random suffix
 *                  (key {@code lease.replica-id})
 */
public record LeaseConfig(String mode, Duration ttl, String replicaId) {
    /** Validates the keys. */
    public LeaseConfig {
        mode = mode.toLowerCase(Locale.ROOT);
        ConfigException.require(mode.equals("auto") || mode.equals("on") || mode.equals("off"), "lease.mode (auto, on or off)", mode);
        ConfigException.require(ttl.compareTo(Duration.ofSeconds(1)) >= 0, "lease.ttl (at least 1s)", ttl);
        ConfigException.require(replicaId.length() <= 128, "lease.replica-id (at most 128 characters)", replicaId);
    }

    /**
     * @param jdbcUrl the store's URL
     * @return whether replicas share that store
     * @throws ConfigException for mode on with the embedded H2 store
     */
    public boolean enabled(String jdbcUrl) {
        boolean postgres = jdbcUrl.startsWith("jdbc:postgresql:");
        ConfigException.require(postgres || !mode.equals("on"), "lease.mode (on needs database.url jdbc:postgresql:..., "
                + "the H2 store is one process's)", mode);
        return postgres && !mode.equals("off");
    }

    /** @return how often the holder renews, and a replica tries to take an expired lease: ttl/3 */
    public Duration renewEvery() {
        return ttl.dividedBy(3);
    }

    /** @return how long before the stored expiry the holder stops trusting its lease: ttl/4 */
    public Duration margin() {
        return ttl.dividedBy(4);
    }
}
