package io.flock.agent.artifact;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.ModelAnnouncement;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A correctly signed announcement names an artifact the coordinator does not hold (pruned by now, or never
 * stored): the agent asks once, gets NOT_FOUND, asks which version is current and loads that one instead of
 * asking for the missing artifact forever. The coordinator side is a gRPC server on loopback that holds one
 * artifact.
 */
class ModelUpdaterFollowsCurrentTest {
    @TempDir
    Path dir;
    private final Ed25519Signer signer = Ed25519Signer.ephemeral();
    private final byte[] held = TestArtifacts.artifact(0);
    private final ModelAnnouncement current = TestArtifacts.announce(signer, held, 1, 1).toBuilder().setChunksOnMqtt(false).build();
    private final List<String> fetched = new CopyOnWriteArrayList<>();
    private Server server;
    private ScheduledExecutorService timers;
    private CoordinatorClient coordinator;
    private LocalModel local;

    @BeforeEach
    void start() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new CoordinatorGrpc.CoordinatorImplBase() {
            @Override
            public void getCurrentModel(GetCurrentModelRequest request, StreamObserver<ModelAnnouncement> out) {
                out.onNext(current);
                out.onCompleted();
            }

            @Override
            public void fetchArtifact(FetchArtifactRequest request, StreamObserver<ArtifactChunk> out) {
                fetched.add(request.getSha256());
                if (!request.getSha256().equals(current.getSha256())) {
                    out.onError(Status.NOT_FOUND.withDescription("no artifact " + request.getSha256()).asRuntimeException());
                    return;
                }
                out.onNext(ArtifactChunk.newBuilder().setSha256(request.getSha256()).setOffset(request.getOffset())
                        .setData(ByteString.copyFrom(Arrays.copyOfRange(held, (int) request.getOffset(), held.length))).build());
                out.onCompleted();
            }
        }).build().start();
        timers = Executors.newSingleThreadScheduledExecutor();
        coordinator = new CoordinatorClient("127.0.0.1:" + server.getPort(), "d-1", WireTap.NONE, () -> true);
        local = new LocalModel();
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
        coordinator.close();
        local.close();
        server.shutdownNow();
    }

    @Test
    void anAnnouncedArtifactTheCoordinatorDoesNotHold_isAskedForOnce_thenTheCurrentVersionLoads() throws Exception {
        ModelUpdater updater = new ModelUpdater("d-1", "m", new ArtifactVerifier(signer.publicKey()), local, dir, coordinator, timers,
                Duration.ofMillis(200), () -> { }, DeviceConditions.REAL, false);
        ModelAnnouncement missing = TestArtifacts.announce(signer, TestArtifacts.artifact(3), 2, 1).toBuilder().setChunksOnMqtt(false).build();

        updater.onAnnouncement(missing, true);

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (local.version() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(local.version()).as("the coordinator's current version").isEqualTo(1);
        Thread.sleep(1500); // a retry of the missing artifact would come 1 s after the failure
        assertThat(fetched).as("the missing artifact once, then the current one").containsExactly(missing.getSha256(), current.getSha256());
    }
}
