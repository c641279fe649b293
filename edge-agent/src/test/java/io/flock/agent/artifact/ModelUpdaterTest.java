package io.flock.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.DeviceConditions;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.link.WireTap;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT push path of the updater, with a coordinator that is never reachable: every gRPC fetch
 * the updater tries is counted (and fails), so the tests see when it gives up waiting for chunks.
 */
class ModelUpdaterTest {
    private static final Duration CHUNK_WAIT = Duration.ofMillis(400);
    @TempDir
    Path dir;
    private final AtomicInteger fetchAttempts = new AtomicInteger();
    private final Ed25519Signer signer = Ed25519Signer.ephemeral();
    private ScheduledExecutorService timers;
    private CoordinatorClient coordinator;
    private LocalModel local;
    private ModelUpdater updater;

    @BeforeEach
    void start() {
        timers = Executors.newSingleThreadScheduledExecutor();
        coordinator = new CoordinatorClient("127.0.0.1:1", "d-1", WireTap.NONE, () -> {
            fetchAttempts.incrementAndGet();
            return false;
        });
        local = new LocalModel();
        updater = new ModelUpdater("d-1", "m", new ArtifactVerifier(signer.publicKey()), local, dir, coordinator, timers, CHUNK_WAIT,
                () -> { }, DeviceConditions.REAL, false);
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
        coordinator.close();
        local.close();
    }

    @Test
    void chunksArrivingSteadily_slowerInTotalThanChunkWait_loadWithoutAGrpcFetch() throws Exception {
        byte[] artifact = artifact();
        ModelAnnouncement a = announce(artifact, 8);

        updater.onAnnouncement(a, false);
        for (ArtifactChunk c : chunks(a, artifact)) {
            Thread.sleep(CHUNK_WAIT.toMillis() / 4); // 8 chunks x 100 ms: twice the chunk wait in all
            updater.onChunk(c);
        }

        assertThat(local.version()).isEqualTo(1);
        assertThat(fetchAttempts).as("gRPC fetches while chunks kept coming").hasValue(0);
    }

    @Test
    void chunksBeforeTheirAnnouncement_loadWhenItArrives() {
        byte[] artifact = artifact();
        ModelAnnouncement a = announce(artifact, 8);
        ArtifactChunk[] chunks = chunks(a, artifact);
        for (int i = chunks.length - 1; i >= 0; i--) {
            updater.onChunk(chunks[i]);
        }
        updater.onChunk(chunks(announce(new byte[] {1, 2, 3}, 1), new byte[] {1, 2, 3})[0]); // another artifact's

        assertThat(local.version()).isZero();
        updater.onAnnouncement(a, false);

        assertThat(local.version()).isEqualTo(1);
        assertThat(fetchAttempts).hasValue(0);
    }

    @Test
    void chunksStopComing_fetchesTheRestOverGrpcAfterChunkWait() throws Exception {
        byte[] artifact = artifact();
        ModelAnnouncement a = announce(artifact, 8);

        updater.onAnnouncement(a, false);
        updater.onChunk(chunks(a, artifact)[0]);
        Thread.sleep(CHUNK_WAIT.toMillis() / 2);
        assertThat(fetchAttempts).hasValue(0);

        long deadline = System.nanoTime() + 5_000_000_000L;
        while (fetchAttempts.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(fetchAttempts.get()).as("a fetch once no chunk came for the chunk wait").isPositive();
        assertThat(local.version()).isZero();
    }

    @Test
    void retainedAnnouncement_fetchesAtOnce() throws Exception {
        byte[] artifact = artifact();

        updater.onAnnouncement(announce(artifact, 8), true);

        long deadline = System.nanoTime() + CHUNK_WAIT.toNanos() / 2;
        while (fetchAttempts.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(fetchAttempts.get()).as("chunks of a retained announcement are long gone").isPositive();
    }

    @Test
    void anArtifactThatCannotBeFetched_isRetriedWithBackoff_notOnceASecond() throws Exception {
        byte[] artifact = artifact();
        ModelAnnouncement a = announce(artifact, 8).toBuilder().setChunksOnMqtt(false).build();

        updater.onAnnouncement(a, false);
        Thread.sleep(6500);

        // retries at about 0, 1, 3 and 7 s with the backoff; a fixed 1 s retry would have made 7 attempts by now
        assertThat(fetchAttempts.get()).isBetween(2, 4);
        assertThat(local.version()).isZero();
    }

    @Test
    void aForgedAnnouncementClaimingAHugeArtifact_isRejectedBeforeAnyRoomIsSetAside() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ModelAnnouncement forged = announce(artifact(), 8).toBuilder().setVersion(2).setSizeBytes(512L << 20)
                .setChunkCount(8192).setChunkSizeBytes(65536).build();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());

        updater.onAnnouncement(forged, true);

        assertThat(threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before).isLessThan(8L << 20);
        assertThat(updater.lastRejection()).contains("signature does not verify");
        byte[] artifact = artifact();
        ModelAnnouncement real = announce(artifact, 8);
        updater.onAnnouncement(real, false);
        for (ArtifactChunk c : chunks(real, artifact)) {
            updater.onChunk(c);
        }
        assertThat(local.version()).as("the next real announcement is still handled").isEqualTo(1);
        assertThat(updater.lastRejection()).isEmpty();
    }

    private ModelAnnouncement announce(byte[] artifact, int chunkCount) {
        return TestArtifacts.announce(signer, artifact, 1, chunkCount);
    }

    private static byte[] artifact() {
        return TestArtifacts.artifact(0);
    }

    private static ArtifactChunk[] chunks(ModelAnnouncement a, byte[] artifact) {
        return TestArtifacts.chunks(a, artifact);
    }
}
