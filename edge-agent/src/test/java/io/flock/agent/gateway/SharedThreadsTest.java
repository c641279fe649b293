package io.flock.agent.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Devices' views of shared threads behave like threads of their own, and shut down alone. */
@Timeout(30)
class SharedThreadsTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        timers.shutdownNow();
    }

    @Test
    void serialExecutor_runsOneDevicesTasksInOrderOneAtATime_onAPoolOfFour() throws Exception {
        SerialExecutor device = new SerialExecutor(pool);
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        for (int i = 0; i < 200; i++) {
            int n = i;
            device.execute(() -> {
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                order.add(n);
                concurrent.decrementAndGet();
            });
        }
        device.shutdown();

        assertThat(device.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).hasSize(200).isSorted();
        assertThat(maxConcurrent.get()).isEqualTo(1);
        assertThatThrownBy(() -> device.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void serialExecutor_shutdownNow_dropsQueuedInterruptsRunning_otherDevicesGoOn() throws Exception {
        SerialExecutor a = new SerialExecutor(pool);
        SerialExecutor b = new SerialExecutor(pool);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        a.execute(() -> {
            running.countDown();
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        a.execute(() -> { });
        running.await();

        assertThat(a.shutdownNow()).hasSize(1);
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(a.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch bRan = new CountDownLatch(1);
        b.execute(bRan::countDown);
        assertThat(bRan.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void deviceScheduler_shutdownCancelsOnlyThatDevicesPeriodicWork() throws Exception {
        DeviceScheduler a = new DeviceScheduler(timers);
        DeviceScheduler b = new DeviceScheduler(timers);
        AtomicInteger ticksA = new AtomicInteger();
        AtomicInteger ticksB = new AtomicInteger();
        a.scheduleAtFixedRate(ticksA::incrementAndGet, 0, 5, TimeUnit.MILLISECONDS);
        b.scheduleAtFixedRate(ticksB::incrementAndGet, 0, 5, TimeUnit.MILLISECONDS);
        CountDownLatch laterA = new CountDownLatch(1);
        CountDownLatch laterB = new CountDownLatch(1);
        a.schedule(laterA::countDown, 300, TimeUnit.MILLISECONDS);
        b.schedule(laterB::countDown, 300, TimeUnit.MILLISECONDS);
        Thread.sleep(100);

        a.shutdownNow();
        assertThat(a.awaitTermination(2, TimeUnit.SECONDS)).isTrue();
        int frozen = ticksA.get();
        int bBefore = ticksB.get();
        assertThat(laterB.await(5, TimeUnit.SECONDS)).as("b's delayed task ran on time").isTrue();

        assertThat(ticksA.get()).isEqualTo(frozen);
        assertThat(ticksB.get()).isGreaterThan(bBefore);
        assertThat(laterA.getCount()).as("a's delayed task, due with b's, was cancelled").isEqualTo(1);
        assertThat(timers.isShutdown()).isFalse();
        assertThatThrownBy(() -> a.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
