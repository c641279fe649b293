package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.data.ByteDataset;
import io.flock.core.model.OffloadAdvice;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.LocalPredictionGrpc;
import io.flock.proto.v1.PredictResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hybrid over real sockets: a cloud model and a device model in one registry; the device model's announcement
 * carries the threshold calibrated against the cloud model and the agents follow it; and a coordinator stopped in the
 * middle of a burst of offloads leaves every app request answered, offloaded before and as FALLBACK after, none lost
 * and none hung.
 */
@Timeout(180)
class HybridOffloadIT {
    @TempDir
    Path dir;

    @Test
    void announcement_carriesTheCalibratedThreshold_agentsFollowIt() throws Exception {
        try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet"), WireTap.NONE, (id, c) -> c.withLocalApiPort(-1))) {
            CoordinatorServer c = startHybrid(fleet);
            fleet.startAgents(Collections.nCopies(2, null), c.mqttUrl(), c.port());
            fleet.awaitReady(1, Duration.ofSeconds(60));

            OffloadAdvice expected = c.offloadAdvisor().latest().orElseThrow().advice();
            for (EdgeAgent a : fleet.agents()) {
                awaitAdvice(a);
                assertThat(a.offloadAdvice()).contains(expected);
            }
            assertThat(expected.cloudModel()).isEqualTo("cloud-model");
            assertThat(expected.offloadRate()).isBetween(0.0, 0.3); // serving.offload.max-rate
        }
    }

    @Test
    void coordinatorStoppedMidBurst_everyRequestAnsweredOffloadedOrAsFallback() throws Exception {
        ByteDataset images = Fixtures.train();
        try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet"), WireTap.NONE, (id, c) -> c.withOffloadThreshold(1.0))) {
            CoordinatorServer c = startHybrid(fleet);
            EdgeAgent agent = fleet.startAgents(Collections.nCopies(1, null), c.mqttUrl(), c.port()).get(0);
            fleet.awaitReady(1, Duration.ofSeconds(60));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", agent.localApiPort()).usePlaintext().build();
            ExecutorService apps = Executors.newFixedThreadPool(4);
            try {
                LocalPredictionGrpc.LocalPredictionBlockingStub app = LocalPredictionGrpc.newBlockingStub(channel);
                CountDownLatch someAnswered = new CountDownLatch(40);
                AtomicInteger errors = new AtomicInteger();
                List<Future<List<PredictResponse>>> callers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    callers.add(apps.submit(() -> burst(app, images, thread, someAnswered, errors)));
                }
                assertThat(someAnswered.await(60, TimeUnit.SECONDS)).isTrue();
                fleet.stopCoordinator();

                Map<PredictResponse.Source, Integer> sources = new EnumMap<>(PredictResponse.Source.class);
                double slowestMs = 0;
                for (Future<List<PredictResponse>> f : callers) {
                    for (PredictResponse r : f.get(60, TimeUnit.SECONDS)) {
                        sources.merge(r.getSource(), 1, Integer::sum);
                        slowestMs = Math.max(slowestMs, r.getLatencyMs());
                    }
                }
                assertThat(errors).hasValue(0);
                assertThat(sources.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(4 * 150);
                assertThat(sources).containsOnlyKeys(PredictResponse.Source.OFFLOADED, PredictResponse.Source.FALLBACK);
                assertThat(sources.get(PredictResponse.Source.FALLBACK)).as("answered after the stop").isPositive();
                assertThat(slowestMs).as("no request waits much past offload.timeout (300 ms)").isLessThan(2000);
            } finally {
                apps.shutdownNow();
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Trains nothing: a cloud model's first version goes into a registry, then the device model's coordinator opens it
     * and serves the cloud model, calibrating on the bundled held-out set.
     */
    private CoordinatorServer startHybrid(LocalFleet fleet) throws Exception {
        Path registry = dir.resolve("registry");
        new CoordinatorServer(Fixtures.coordinator(registry, "", "cloud-model", 1, Map.of("model.spec", "mlp:784-128-10"))).start().close();
        return fleet.startCoordinator(Fixtures.coordinator(registry, "", "device-model", 1, Map.of("model.spec", "mlp:784-32-10",
                "serving.model", "cloud-model")));
    }

    private static List<PredictResponse> burst(LocalPredictionGrpc.LocalPredictionBlockingStub app, ByteDataset images, int thread,
                                               CountDownLatch answered, AtomicInteger errors) {
        List<PredictResponse> out = new ArrayList<>();
        float[] raw = new float[images.featureCount()];
        for (int k = 0; k < 150; k++) {
            images.copyRawFeatures(thread * 150 + k, raw, 0);
            try {
                out.add(app.withDeadlineAfter(10, TimeUnit.SECONDS).predict(PredictionMessages.request("", "", raw)));
            } catch (StatusRuntimeException e) {
                errors.incrementAndGet();
            }
            answered.countDown();
        }
        return out;
    }

    private static void awaitAdvice(EdgeAgent a) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (a.offloadAdvice().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
