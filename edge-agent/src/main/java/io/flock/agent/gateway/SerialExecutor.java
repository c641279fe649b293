package io.flock.agent.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One device's work queue on a pool that many devices share: the device's tasks run one at a time
 * in submission order, as on a thread of its own, without costing a thread while idle.
 * {@link #shutdownNow()} drops queued tasks and interrupts the running one.
 */
final class SerialExecutor extends AbstractExecutorService {
    private final Executor shared;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean active;
    private boolean shutdown;
    private Thread running;

    SerialExecutor(Executor shared) {
        this.shared = shared;
    }

    @Override
    public synchronized void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("the device's executor is shut down");
        }
        queue.add(command);
        if (!active) {
            active = true;
            shared.execute(this::runNext);
        }
    }

    private void runNext() {
        Runnable next;
        synchronized (this) {
            next = queue.poll();
            if (next == null) {
                active = false;
                notifyAll();
                return;
            }
            running = Thread.currentThread();
        }
        try {
            next.run();
        } finally {
            synchronized (this) {
                running = null;
                if (queue.isEmpty()) {
                    active = false;
                    notifyAll();
                } else {
                    shared.execute(this::runNext);
                }
            }
        }
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> dropped = new ArrayList<>(queue);
        queue.clear();
        if (running != null) {
            running.interrupt();
        }
        return dropped;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && !active;
    }

    @Override
    public synchronized boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isTerminated()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
