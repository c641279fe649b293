package io.flock.coordinator.serving;

import io.flock.core.CapacityExceededException;
import io.flock.core.DaemonThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Transport-free dynamic batching, as djl-serving's job queue: callers queue requests (rows); each worker takes the first
 * waiting row, waits up to {@link BatchingConfig#maxDelay()} for the batch to fill to {@link BatchingConfig#maxBatch()},
 * drops the rows whose deadline has passed, runs one forward pass and completes every caller. A full queue answers
 * at once with {@link CapacityExceededException} (RESOURCE_EXHAUSTED, HTTP 503) and a retry hint instead of making
 * the caller wait. Thread-safe. Order of use: construct, {@link #submit} from any thread, {@link #close()}.
 */
public final class BatchingQueue<I, O> implements AutoCloseable {
    /**
     * One forward pass over a batch; several workers call it at once, each with its own batch.
     *
     * @param <I> a request
     * @param <O> its answer
     */
    public interface BatchFunction<I, O> {
        /** @return one answer per request, in order */
        List<O> run(List<I> batch);
    }

    private record Job<I, O>(I row, long deadlineNanos, CompletableFuture<O> result) {
    }

    private final BatchingConfig config;
    private final BatchFunction<I, O> function;
    private final BlockingQueue<Job<I, O>> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closed;

    /** Starts the workers. */
    public BatchingQueue(BatchingConfig config, BatchFunction<I, O> function, String name) {
        this.config = config;
        this.function = function;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        ThreadFactory threads = DaemonThreads.named(name);
        for (int i = 0; i < config.workers(); i++) {
            Thread t = threads.newThread(this::work);
            workers.add(t);
            t.start();
        }
    }

    /**
     * @param row           one input row
     * @param deadlineNanos {@link System#nanoTime()} after which the caller no longer waits (its gRPC deadline);
     *                      {@link Long#MAX_VALUE} = none. A row past it is dropped before it is computed.
     * @return the row's output; fails with {@link CapacityExceededException} when the queue is full or closed, with
     *         {@link DeadlinePassedException} when the deadline passed before the row's batch ran, and with whatever
     *         the batch function threw
     */
    public CompletableFuture<O> submit(I row, long deadlineNanos) {
        CompletableFuture<O> result = new CompletableFuture<>();
        if (closed || !queue.offer(new Job<>(row, deadlineNanos, result))) {
            refused.incrementAndGet();
            result.completeExceptionally(new CapacityExceededException("serving queue full (" + config.queueCapacity()
                    + " requests waiting); retry after " + retryAfterMillis() + " ms"));
        }
        return result;
    }

    /** @return a hint for a refused caller: about the time the queue takes to drain one batch per worker */
    public long retryAfterMillis() {
        return Math.max(1, config.maxDelay().toMillis() * 2);
    }

    private void work() {
        List<Job<I, O>> batch = new ArrayList<>(config.maxBatch());
        while (!closed) {
            try {
                Job<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long fillBy = System.nanoTime() + config.maxDelay().toNanos();
                while (batch.size() < config.maxBatch()) {
                    long wait = fillBy - System.nanoTime();
                    Job<I, O> next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void run(List<Job<I, O>> batch) {
        long now = System.nanoTime();
        List<Job<I, O>> live = new ArrayList<>(batch.size());
        for (Job<I, O> j : batch) {
            if (now - j.deadlineNanos() > 0 && j.deadlineNanos() != Long.MAX_VALUE) {
                expired.incrementAndGet();
                j.result().completeExceptionally(new DeadlinePassedException("the request's deadline passed while it waited in the serving"
                        + " queue; it was not computed"));
            } else if (!j.result().isDone()) {
                live.add(j);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        List<I> in = new ArrayList<>(live.size());
        for (Job<I, O> j : live) {
            in.add(j.row());
        }
        try {
            List<O> out = function.run(in);
            batches.incrementAndGet();
            rows.addAndGet(in.size());
            for (int i = 0; i < in.size(); i++) {
                live.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException e) {
            live.forEach(j -> j.result().completeExceptionally(e));
        }
    }

    /** @return requests that may wait at once (serving.queue-capacity) */
    public int capacity() {
        return config.queueCapacity();
    }

    /** @return batches run so far */
    public long batches() {
        return batches.get();
    }

    /** @return rows computed so far (the mean batch size is rows / batches) */
    public long rows() {
        return rows.get();
    }

    /** @return rows dropped because their deadline passed in the queue */
    public long expired() {
        return expired.get();
    }

    /** @return requests refused because the queue was full */
    public long refused() {
        return refused.get();
    }

    /** @return requests waiting now */
    public int waiting() {
        return queue.size();
    }

    /** Stops the workers (bounded) and fails what still waits with {@link CapacityExceededException}. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Job<I, O> j;
        while ((j = queue.poll()) != null) {
            j.result().completeExceptionally(new CapacityExceededException("serving stopped; retry on another coordinator"));
        }
    }
}
