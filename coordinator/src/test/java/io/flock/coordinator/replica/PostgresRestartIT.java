package io.flock.coordinator.replica;

import static io.flock.coordinator.replica.Replica.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.grpc.StatusMapper;
import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.round.RoundEngine;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL restarted while uploads flow into two replicas: a private PostgreSQL cluster (so the shared server is not
 * disturbed) restarted with {@code pg_ctl restart -m fast}. Uploads during the outage are answered UNAVAILABLE (what an
 * agent's outbox retries), the replicas reconnect by themselves, and the round publishes every update acknowledged
 * ACCEPTED.
 */
class PostgresRestartIT {
    private static final int DEVICES = 30;
    @TempDir
    Path dir;
    private PrivatePostgres postgres;
    private final List<Replica> replicas = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(6);

    @BeforeEach
    void start() throws Exception {
        postgres = PrivatePostgres.start();
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        replicas.forEach(Replica::close);
        postgres.close();
    }

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    @Test
    void restartUnderLoad_uploadsAnsweredUnavailableMeanwhile_replicasReconnect_andNothingAcceptedIsLost() throws Exception {
        List<String> ds = IntStream.rangeClosed(1, DEVICES).mapToObj(i -> String.format("d%02d", i)).toList();
        Replica a = new Replica("a", postgres.url(), dir.resolve("keys"), ds, DEVICES, DEVICES, Duration.ofSeconds(60), Duration.ofSeconds(4));
        replicas.add(a);
        ds.forEach(d -> a.devices.register(d, "jvm", ""));
        ModelVersion v1 = a.registry.publish(MODEL, Candidate.of(Replica.SPEC, Replica.PIPELINE, p(10, 10), null));
        a.registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
        a.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.engine.acceptedInOpenRound() >= 0);
        Replica b = new Replica("b", postgres.url(), dir.resolve("keys"), ds, DEVICES, DEVICES, Duration.ofSeconds(60), Duration.ofSeconds(4));
        replicas.add(b);
        b.start();
        Map<String, Float> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        List<Future<?>> uploads = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            String d = ds.get(i);
            float delta = i + 1;
            Replica to = i % 2 == 0 ? a : b;
            long startAt = i * 60L; // uploads spread over ~1.8 s, across the restart
            uploads.add(pool.submit(() -> {
                Thread.sleep(startAt);
                UpdateSubmission s = new UpdateSubmission(d, MODEL, RoundEngine.taskId(MODEL, 1, d), 1, 1, "k-" + d, 100, "fp32",
                        Codecs.FP32.encode(p(delta, -delta)));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (System.nanoTime() < deadline) { // an agent's outbox: retry what is retryable, with the same key
                    try {
                        Receipt r = to.intake.submit(s);
                        acknowledged.put(d, delta);
                        return r.outcome();
                    } catch (RuntimeException e) {
                        if (StatusMapper.toStatus(e).getStatus().getCode() == Status.Code.UNAVAILABLE) {
                            unavailable.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                        Thread.sleep(250);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(600);
        postgres.restart();

        for (Future<?> f : uploads) {
            f.get();
        }
        Replica holder = await().atMost(Duration.ofSeconds(30)).until(
                () -> a.finished.isEmpty() ? b.finished.isEmpty() ? null : b : a, r -> r != null);

        assertThat(unavailable.get()).as("uploads refused as UNAVAILABLE while the database was down").isPositive();
        assertThat(acknowledged).hasSize(DEVICES);
        assertThat(holder.finished.get(0).accepted()).isEqualTo(DEVICES);
        float mean = (float) acknowledged.values().stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        float[] w = holder.registry.globalParameters(holder.registry.requireVersion(MODEL, holder.finished.get(0).version())).tensors()
                .get(0).data();
        assertThat(w[0]).isCloseTo(10 + mean, within(1e-3f));
        assertThat(w[1]).isCloseTo(10 - mean, within(1e-3f));
        assertThat(other.get()).as("refusals other than UNAVAILABLE").isZero();
    }
}
