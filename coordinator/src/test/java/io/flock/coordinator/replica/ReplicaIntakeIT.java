package io.flock.coordinator.replica;

import static io.flock.coordinator.replica.Replica.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.intake.Receipt;
import io.flock.coordinator.intake.UpdateSubmission;
import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.RoundSummary;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas in one JVM on the real PostgreSQL (127.0.0.1:5432, database test), each with its own connection, in a
 * fresh schema per test: uploads to either replica land in the lease holder's round, a replica that takes over finishes
 * the round with every update accepted anywhere, and a round closing while uploads race in loses none it acknowledged.
 */
class ReplicaIntakeIT {
    static final String SERVER = System.getProperty("flock.test.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final Duration TTL = Duration.ofSeconds(3);
    @TempDir
    Path dir;
    private String url;
    private final List<Replica> replicas = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @BeforeEach
    void schema() throws Exception {
        String schema = "replica_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (var c = DriverManager.getConnection(SERVER); var s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        url = SERVER + "&currentSchema=" + schema;
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        replicas.forEach(Replica::close);
    }

    private Replica replica(String name, List<String> devices, int perRound, int minResults, Duration timeout) throws Exception {
        Replica r = new Replica(name, url, dir.resolve("keys"), devices, perRound, minResults, timeout, TTL);
        replicas.add(r);
        return r;
    }

    private static ModelParameters p(float... v) {
        return new ModelParameters(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static UpdateSubmission update(String device, float... delta) {
        return new UpdateSubmission(device, MODEL, RoundEngine.taskId(MODEL, 1, device), 1, 1, "k-" + device, 100, "fp32",
                Codecs.FP32.encode(p(delta)));
    }

    private static List<String> devices(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> String.format("d%02d", i)).toList();
    }

    /** Registers the devices and publishes version 1 = (10, 10), as the first replica's start does. */
    private static void seed(Replica first, List<String> devices) {
        devices.forEach(d -> first.devices.register(d, "jvm", ""));
        ModelVersion v1 = first.registry.publish(MODEL, Candidate.of(Replica.SPEC, Replica.PIPELINE, p(10, 10), null));
        first.registry.promote(MODEL, v1.version(), Stage.PRODUCTION);
    }

    private static float[] weights(Replica r, long version) {
        return r.registry.globalParameters(r.registry.requireVersion(MODEL, version)).tensors().get(0).data();
    }

    private static RoundSummary round(Replica r, long round) {
        return r.store.rounds(MODEL, 10).stream().filter(s -> s.round() == round).findFirst().orElseThrow();
    }

    @Test
    void uploadsToEitherReplica_landInTheHoldersRound_andTheOtherReplicaServesTheNewVersion() throws Exception {
        List<String> ds = devices(3);
        Replica a = replica("a", ds, 3, 3, Duration.ofSeconds(30));
        seed(a, ds);
        a.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.engine.acceptedInOpenRound() >= 0);
        Replica b = replica("b", ds, 3, 3, Duration.ofSeconds(30)).start();

        assertThat(a.intake.submit(update("d01", 3, 0)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(b.intake.submit(update("d02", 0, 3)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);
        assertThat(b.intake.submit(update("d02", 0, 3)).outcome()).isEqualTo(Receipt.Outcome.DUPLICATE);
        assertThat(b.intake.submit(update("d03", 3, 3)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);

        await().atMost(Duration.ofSeconds(10)).until(() -> a.finished.size() == 1);
        assertThat(a.finished.get(0).accepted()).isEqualTo(3);
        assertThat(weights(a, a.finished.get(0).version())).containsExactly(12f, 12f); // (10, 10) + mean of the three deltas
        assertThat(b.finished).as("only the holder runs rounds").isEmpty();
        assertThat(b.tasked).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> b.registry.requireCurrent(MODEL).version() == a.finished.get(0).version());
    }

    @Test
    void holderStopsMidRound_otherReplicaTakesOver_andFinishesWithEveryAcceptedUpdate() throws Exception {
        List<String> ds = devices(3);
        Replica a = replica("a", ds, 3, 3, Duration.ofSeconds(30));
        seed(a, ds);
        a.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.engine.acceptedInOpenRound() >= 0);
        Replica b = replica("b", ds, 3, 3, Duration.ofSeconds(30)).start();
        a.intake.submit(update("d01", 3, 0));
        b.intake.submit(update("d02", 0, 3));

        a.close(); // leaves round 1 open, releases the lease
        replicas.remove(a);
        await().atMost(TTL).until(() -> b.engine.acceptedInOpenRound() == 2);
        assertThat(b.intake.submit(update("d03", 3, 3)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);

        await().atMost(Duration.ofSeconds(10)).until(() -> b.finished.size() == 1);
        assertThat(b.finished.get(0).resumed()).isTrue();
        assertThat(b.finished.get(0).accepted()).isEqualTo(3);
        assertThat(weights(b, b.finished.get(0).version())).containsExactly(12f, 12f);
        assertThat(round(b, 1).status()).isEqualTo(RoundRecord.CLOSED);
    }

    @Test
    void holderLosesTheLeaseMidRound_stopsWithoutClosingTheRound_andTheNextHolderFinishesIt() throws Exception {
        List<String> ds = devices(3);
        Replica a = replica("a", ds, 3, 3, Duration.ofSeconds(30));
        seed(a, ds);
        a.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.engine.acceptedInOpenRound() >= 0);
        a.intake.submit(update("d01", 3, 0));
        a.intake.submit(update("d02", 0, 3));

        // another process takes the lease (a clock jump, a partition): a's next renewal is refused
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.executeUpdate("UPDATE leases SET holder = 'x', epoch = epoch + 1, expires_ms = " + (System.currentTimeMillis() + 2000));
        }
        await().atMost(TTL).until(() -> a.engine.acceptedInOpenRound() < 0);
        assertThat(a.finished).as("a stopped its schedule without publishing or failing the round").isEmpty();
        assertThat(a.store.openRound(MODEL)).as("round 1 stays open for the next holder").isPresent();
        Replica b = replica("b", ds, 3, 3, Duration.ofSeconds(30)).start();
        await().atMost(TTL.multipliedBy(2)).until(() -> b.engine.acceptedInOpenRound() == 2 || a.engine.acceptedInOpenRound() == 2);
        Replica holder = b.engine.acceptedInOpenRound() == 2 ? b : a;
        assertThat(holder.intake.submit(update("d03", 3, 3)).outcome()).isEqualTo(Receipt.Outcome.ACCEPTED);

        await().atMost(Duration.ofSeconds(10)).until(() -> holder.finished.size() == 1);
        assertThat(holder.finished.get(0).accepted()).isEqualTo(3);
        assertThat(weights(holder, holder.finished.get(0).version())).containsExactly(12f, 12f);
    }

    @Test
    void roundClosingWhileUploadsRaceIn_keepsEveryUpdateItAcknowledged() throws Exception {
        List<String> ds = devices(40);
        Replica a = replica("a", ds, 40, 10, Duration.ofSeconds(30));
        seed(a, ds);
        a.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.engine.acceptedInOpenRound() >= 0);
        Replica b = replica("b", ds, 40, 10, Duration.ofSeconds(30)).start();
        Map<String, Float> acknowledged = new ConcurrentHashMap<>();
        List<Future<?>> uploads = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            String d = ds.get(i);
            float delta = i + 1;
            Replica to = i % 4 == 0 ? a : b; // most through the replica that does not hold the lease
            uploads.add(pool.submit(() -> {
                try {
                    if (to.intake.submit(update(d, delta, -delta)).outcome() == Receipt.Outcome.ACCEPTED) {
                        acknowledged.put(d, delta);
                    }
                } catch (RuntimeException refused) {
                    // round_closed once the holder sealed the round: not acknowledged, so not owed
                }
            }));
        }
        for (Future<?> f : uploads) {
            f.get();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> a.finished.size() == 1);
        int accepted = a.finished.get(0).accepted();
        assertThat(accepted).isEqualTo(acknowledged.size()).isGreaterThanOrEqualTo(10);
        assertThat(a.store.updatedDevices(MODEL, 1)).containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
        float mean = (float) acknowledged.values().stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        float[] w = weights(a, a.finished.get(0).version());
        assertThat(w[0]).isCloseTo(10 + mean, within(1e-3f));
        assertThat(w[1]).isCloseTo(10 - mean, within(1e-3f));
    }
}
