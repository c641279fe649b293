package io.flock.agent.gateway;

import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One device's timers on a scheduler that many devices share: the device's scheduled and periodic
 * work runs on the shared threads, and shutting the view down cancels exactly that device's work,
 * leaving the shared scheduler and other devices alone.
 */
final class DeviceScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ScheduledExecutorService shared;
    private final Set<Future<?>> live = ConcurrentHashMap.newKeySet();
    private volatile boolean shutdown;

    DeviceScheduler(ScheduledExecutorService shared) {
        this.shared = shared;
    }

    private <F extends Future<?>> F track(F future) {
        live.removeIf(Future::isDone);
        live.add(future);
        if (shutdown) {
            future.cancel(false);
        }
        return future;
    }

    private void requireRunning() {
        if (shutdown) {
            throw new RejectedExecutionException("the device's scheduler is shut down");
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        requireRunning();
        return track(shared.schedule(command, delay, unit));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        requireRunning();
        return track(shared.schedule(callable, delay, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        requireRunning();
        return track(shared.scheduleAtFixedRate(command, initialDelay, period, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        requireRunning();
        return track(shared.scheduleWithFixedDelay(command, initialDelay, delay, unit));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }

    /** Cancels the device's pending and periodic work (a running task finishes). */
    @Override
    public void shutdown() {
        shutdown = true;
        live.forEach(f -> f.cancel(false));
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && live.stream().allMatch(Future::isDone);
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isTerminated()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
