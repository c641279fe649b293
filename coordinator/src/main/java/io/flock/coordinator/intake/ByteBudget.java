package io.flock.coordinator.intake;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the intake may hold at once across all uploads in flight (received payloads and what decoding them
 * allocates), so many concurrent or hostile uploads cannot exhaust the heap. A reservation that does not fit
 * is refused at once ({@link IntakeBusyException}: UNAVAILABLE, which the device's outbox retries later), never
 * waited for. Thread-safe.
 */
public final class ByteBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    /** @param capacity bytes, > 0 */
    public ByteBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("budget must be > 0 bytes, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * @throws IntakeBusyException when {@code bytes} more would pass the capacity; nothing is reserved then
     */
    public void reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > capacity) {
                throw new IntakeBusyException("the coordinator holds " + now + " bytes of uploads in flight, at its limit of "
                        + capacity + " (limits.intake-budget); retry later");
            }
        } while (!used.compareAndSet(now, now + bytes));
    }

    /** Gives back what {@link #reserve} took. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** @return bytes reserved now */
    public long used() {
        return used.get();
    }
}
