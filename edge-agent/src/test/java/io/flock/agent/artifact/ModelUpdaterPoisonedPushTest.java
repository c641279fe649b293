package io.flock.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.flock.agent.DeviceConditions;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.link.WireTap;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.ModelAnnouncement;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Junk chunks on the broker during a real push (issue 24, "poisoned pushes"): anyone can publish on the chunk topic,
 * so chunks that do not verify must not make an idle device give up a version it can still fetch over gRPC. The
 * coordinator is an in-process gRPC server holding artifacts by digest (a test may make it hold bad bytes).
 */
class ModelUpdaterPoisonedPushTest {
    @TempDir
    Path dir;
    private final Ed25519Signer signer = Ed25519Signer.ephemeral();
    private final Map<String, byte[]> held = new ConcurrentHashMap<>();
    private final List<String> fetches = new CopyOnWriteArrayList<>();
    private Server server;
    private ManagedChannel channel;
    private ScheduledExecutorService timers;
    private CoordinatorClient coordinator;
    private LocalModel local;
    private ModelUpdater updater;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new CoordinatorGrpc.CoordinatorImplBase() {
            @Override
            public void fetchArtifact(FetchArtifactRequest request, StreamObserver<ArtifactChunk> out) {
                fetches.add(request.getSha256().substring(0, 8) + "@" + request.getOffset());
                byte[] bytes = held.get(request.getSha256());
                if (bytes == null) {
                    out.onError(Status.NOT_FOUND.withDescription("no artifact").asRuntimeException());
                    return;
                }
                out.onNext(ArtifactChunk.newBuilder().setSha256(request.getSha256()).setOffset(request.getOffset())
                        .setData(ByteString.copyFrom(Arrays.copyOfRange(bytes, (int) request.getOffset(), bytes.length))).build());
                out.onCompleted();
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        timers = Executors.newSingleThreadScheduledExecutor();
        coordinator = new CoordinatorClient(channel, "d-1", WireTap.NONE, () -> true);
        local = new LocalModel();
        updater = new ModelUpdater("d-1", "m", new ArtifactVerifier(signer.publicKey()), local, dir, coordinator, timers,
                Duration.ofSeconds(30), () -> { }, DeviceConditions.REAL, false);
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
        coordinator.close();
        channel.shutdownNow();
        server.shutdownNow();
        local.close();
    }

    private ModelAnnouncement publish(byte[] artifact, long version) {
        ModelAnnouncement a = TestArtifacts.announce(signer, artifact, version, 8);
        held.put(a.getSha256(), artifact);
        return a;
    }

    private static ArtifactChunk junk(ArtifactChunk real) {
        byte[] data = real.getData().toByteArray();
        for (int i = 0; i < data.length; i++) {
            data[i] ^= 0x5a;
        }
        return real.toBuilder().setData(ByteString.copyFrom(data)).build();
    }

    private void awaitVersion(long version) {
        await().atMost(Duration.ofSeconds(10)).until(() -> local.version() == version);
    }

    @Test
    void onChunk_aJunkChunkInPlaceOfARealOne_loadsTheVersionFetchedWholeOverGrpc() {
        byte[] artifact = TestArtifacts.artifact(0);
        ModelAnnouncement a = publish(artifact, 1);
        ArtifactChunk[] chunks = TestArtifacts.chunks(a, artifact);

        updater.onAnnouncement(a, false);
        for (int i = 0; i < chunks.length; i++) {
            updater.onChunk(i == 3 ? junk(chunks[i]) : chunks[i]);
        }

        awaitVersion(1);
        assertThat(updater.lastRejection()).isEmpty();
        assertThat(updater.rejections()).isZero();
        assertThat(fetches).as("one fetch, whole").containsExactly(a.getSha256().substring(0, 8) + "@0");
    }

    @Test
    void onChunk_aJunkChunkContradictingOneReceived_loadsTheVersionFetchedWholeOverGrpc() {
        byte[] artifact = TestArtifacts.artifact(0);
        ModelAnnouncement a = publish(artifact, 1);
        ArtifactChunk[] chunks = TestArtifacts.chunks(a, artifact);

        updater.onAnnouncement(a, false);
        for (int i = 0; i < chunks.length; i++) {
            updater.onChunk(chunks[i]);
            if (i == 2) {
                updater.onChunk(junk(chunks[i]));
                updater.onChunk(chunks[i]); // a broker's redelivery of the real one changes nothing more
            }
        }

        awaitVersion(1);
        assertThat(updater.lastRejection()).isEmpty();
        assertThat(fetches).containsExactly(a.getSha256().substring(0, 8) + "@0");
    }

    @Test
    void onChunk_aRepeatedRealChunk_isNoConflict_andNeedsNoFetch() {
        byte[] artifact = TestArtifacts.artifact(0);
        ModelAnnouncement a = publish(artifact, 1);
        ArtifactChunk[] chunks = TestArtifacts.chunks(a, artifact);

        updater.onAnnouncement(a, false);
        for (ArtifactChunk c : chunks) {
            updater.onChunk(c);
            updater.onChunk(c);
        }

        assertThat(local.version()).isEqualTo(1);
        assertThat(fetches).isEmpty();
    }

    @Test
    void onChunk_aGenuinelyBadArtifact_isRejectedWithTheReason_afterOneWholeFetch_andTheLastGoodModelKeepsServing() {
        byte[] good = TestArtifacts.artifact(0);
        ModelAnnouncement v1 = publish(good, 1);
        updater.onAnnouncement(v1, false);
        for (ArtifactChunk c : TestArtifacts.chunks(v1, good)) {
            updater.onChunk(c);
        }
        assertThat(local.version()).isEqualTo(1);
        byte[] signed = TestArtifacts.artifact(5);
        ModelAnnouncement v2 = publish(signed, 2);
        byte[] corrupt = signed.clone();
        corrupt[corrupt.length / 2] ^= 1;
        held.put(v2.getSha256(), corrupt); // the coordinator's copy is bad too

        updater.onAnnouncement(v2, false);
        for (ArtifactChunk c : TestArtifacts.chunks(v2, corrupt)) {
            updater.onChunk(c);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> updater.rejections() == 1);
        assertThat(updater.lastRejection()).contains("SHA-256");
        assertThat(local.version()).isEqualTo(1);
        assertThat(fetches).containsExactly(v2.getSha256().substring(0, 8) + "@0");
    }

    @Test
    void onChunk_junkChunksForAnotherDigest_duringAnAssembly_changeNothing() {
        byte[] artifact = TestArtifacts.artifact(0);
        ModelAnnouncement a = publish(artifact, 1);
        ArtifactChunk[] chunks = TestArtifacts.chunks(a, artifact);
        String other = "f".repeat(64);

        updater.onAnnouncement(a, false);
        for (int i = 0; i < chunks.length; i++) {
            updater.onChunk(chunks[i]);
            updater.onChunk(junk(chunks[i]).toBuilder().setSha256(other).build());
            updater.onChunk(junk(chunks[(i + 1) % chunks.length]).toBuilder().setSha256(other).build());
        }

        assertThat(local.version()).isEqualTo(1);
        assertThat(updater.rejections()).isZero();
        assertThat(fetches).as("nothing to fetch").isEmpty();
    }
}
