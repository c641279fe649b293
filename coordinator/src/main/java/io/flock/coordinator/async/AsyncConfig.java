package io.flock.coordinator.async;

import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code async.*} keys: buffered asynchronous training (FedBuff, Nguyen et al. 2022) instead of rounds.
 *
 * @param enabled          train asynchronously; false = synchronous rounds ({@code round.*})
 * @param bufferSize       K: updates folded into each version
 * @param concurrency      devices training at once
 * @param maxStaleness     updates trained from a version more than this many versions old are refused ({@code too_stale})
 * @param staleness        the staleness weight: {@code sqrt} (1/(1+√s)) or {@code polynomial} (1/(1+s)^a)
 * @param exponent         a, for the polynomial rule
 * @param taskTimeout      a device that has not answered its task by then frees its slot; its late update is refused
 */
public record AsyncConfig(boolean enabled, int bufferSize, int concurrency, long maxStaleness, String staleness, double exponent,
                          Duration taskTimeout) {
    /** Validates the ranges, naming the key. */
    public AsyncConfig {
        ConfigException.require(bufferSize >= 1, "async.buffer-size", bufferSize);
        ConfigException.require(concurrency >= 1, "async.concurrency", concurrency);
        ConfigException.require(maxStaleness >= 0, "async.max-staleness", maxStaleness);
        ConfigException.require(!taskTimeout.isNegative() && !taskTimeout.isZero(), "async.task-timeout", taskTimeout);
        StalenessWeight.of(staleness, exponent); // validates the rule and its exponent
    }

    /** Puts the keys' defaults. */
    public static void defaults(Map<String, String> d) {
        d.put("async.enabled", "false");
        d.put("async.buffer-size", "10");
        d.put("async.concurrency", "20");
        d.put("async.max-staleness", "10");
        d.put("async.staleness", "sqrt");
        d.put("async.staleness-exponent", "0.5");
        d.put("async.task-timeout", "60s");
    }

    /** @throws ConfigException naming the first bad key */
    public static AsyncConfig from(Settings s) {
        return new AsyncConfig(s.bool("async.enabled"), s.integer("async.buffer-size"), s.integer("async.concurrency"),
                s.integer("async.max-staleness"), s.string("async.staleness"), s.decimal("async.staleness-exponent"),
                s.duration("async.task-timeout"));
    }

    /** @return asynchronous training off */
    public static AsyncConfig off() {
        return new AsyncConfig(false, 10, 20, 10, "sqrt", 0.5, Duration.ofSeconds(60));
    }

    /** @return the staleness rule */
    public StalenessWeight weight() {
        return StalenessWeight.of(staleness, exponent);
    }
}
