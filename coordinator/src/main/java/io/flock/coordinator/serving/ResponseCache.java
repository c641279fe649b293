package io.flock.coordinator.serving;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers already computed, keyed by model, version and the transformed input, least recently used evicted first.
 * Bounded in entries and in bytes (inputs and outputs as float32). A new production version invalidates every entry
 * of its model ({@link #invalidate}). The key holds the input itself and compares it exactly: two inputs whose hashes
 * collide never share an answer. Thread-safe.
 */
public final class ResponseCache {
    private static final int ENTRY_OVERHEAD = 96;

    private record Key(String model, long version, float[] input, int hash) {
        static Key of(String model, long version, float[] input) {
            return new Key(model, version, input, 31 * (31 * model.hashCode() + Long.hashCode(version)) + Arrays.hashCode(input));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.version == version && k.model.equals(model) && Arrays.equals(k.input, input);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        long bytes() {
            return 4L * input.length;
        }
    }

    private final int maxEntries;
    private final long maxBytes;
    private final LinkedHashMap<Key, float[]> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /**
     * @param maxEntries answers kept at most, >= 0 (0 = no cache)
     * @param maxBytes   bytes of inputs and answers kept at most
     */
    public ResponseCache(int maxEntries, long maxBytes) {
        if (maxEntries < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("cache bounds must be >= 0, got " + maxEntries + " entries, " + maxBytes + " bytes");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** @return the cached answer for this exact input of this version, or null (counted as a hit or a miss) */
    public synchronized float[] get(String model, long version, float[] transformed) {
        float[] out = maxEntries == 0 ? null : entries.get(Key.of(model, version, transformed));
        (out == null ? misses : hits).incrementAndGet();
        return out == null ? null : out.clone();
    }

    /** Keeps an answer; evicts the least recently used until both bounds hold. An entry larger than the byte bound is not kept. */
    public synchronized void put(String model, long version, float[] transformed, float[] answer) {
        Key k = Key.of(model, version, transformed.clone());
        long size = k.bytes() + 4L * answer.length + ENTRY_OVERHEAD;
        if (maxEntries == 0 || size > maxBytes) {
            return;
        }
        float[] old = entries.put(k, answer.clone());
        bytes += size - (old == null ? 0 : k.bytes() + 4L * old.length + ENTRY_OVERHEAD);
        Iterator<Map.Entry<Key, float[]>> it = entries.entrySet().iterator();
        while ((entries.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
            Map.Entry<Key, float[]> e = it.next();
            bytes -= e.getKey().bytes() + 4L * e.getValue().length + ENTRY_OVERHEAD;
            it.remove();
        }
    }

    /** Drops every entry of {@code model} that is not of {@code version}: the answers of a version no longer served. */
    public synchronized void invalidate(String model, long version) {
        Iterator<Map.Entry<Key, float[]>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, float[]> e = it.next();
            if (e.getKey().model().equals(model) && e.getKey().version() != version) {
                bytes -= e.getKey().bytes() + 4L * e.getValue().length + ENTRY_OVERHEAD;
                it.remove();
            }
        }
    }

    /** @return lookups answered from the cache */
    public long hits() {
        return hits.get();
    }

    /** @return lookups that were not */
    public long misses() {
        return misses.get();
    }

    /** @return entries held now */
    public synchronized int size() {
        return entries.size();
    }

    /** @return bytes held now */
    public synchronized long bytes() {
        return bytes;
    }
}
