package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.CoordinatorServer;
import io.flock.core.data.ByteDataset;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offloaded predictions over real gRPC on loopback, through the response cache and the batching queue: concurrent
 * callers share forward passes, a repeated input is a cache hit, and bad requests get their status while serving
 * stays up.
 */
@Timeout(120)
class ServingIT {
    @TempDir
    Path dir;

    @Test
    void predict_concurrentCallersAreBatched_repeatsHitTheCache_badInputGetsItsStatus() throws Exception {
        String model = Fixtures.unique("serving-");
        ByteDataset images = Fixtures.train();
        try (CoordinatorServer c = new CoordinatorServer(Fixtures.coordinator(dir.resolve("c"), "", model, 1,
                Map.of("security.mode", "insecure", "eval.data-dir", "", "serving.max-batch", "16", "serving.max-delay", "5ms", "serving.workers", "1"))).start()) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", c.port()).usePlaintext().build();
            try {
                CoordinatorGrpc.CoordinatorBlockingStub stub = CoordinatorGrpc.newBlockingStub(channel);
                ExecutorService callers = Executors.newFixedThreadPool(32);
                List<Future<PredictResponse>> answers = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    PredictRequest r = request(model, images, i);
                    answers.add(callers.submit(() -> stub.withDeadlineAfter(10, TimeUnit.SECONDS).predict(r)));
                }
                for (Future<PredictResponse> a : answers) {
                    assertThat(a.get().getSource()).isEqualTo(PredictResponse.Source.OFFLOADED);
                }
                callers.shutdown();
                long batches = c.serving().queue().batches();
                long rows = c.serving().queue().rows();
                assertThat(rows).isEqualTo(256);
                assertThat(batches).as("32 callers share forward passes").isLessThan(200);

                PredictResponse first = stub.predict(request(model, images, 0));
                long hitsBefore = cacheHits(c);
                PredictResponse again = stub.predict(request(model, images, 0));
                assertThat(cacheHits(c)).isEqualTo(hitsBefore + 1);
                assertThat(again.getProbabilitiesList()).isEqualTo(first.getProbabilitiesList());

                assertThat(status(() -> stub.predict(PredictRequest.newBuilder().setModel(model).addFeatures(1).build())))
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
                PredictRequest.Builder nan = request(model, images, 1).toBuilder().setFeatures(3, Float.NaN);
                assertThat(status(() -> stub.predict(nan.build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(status(() -> stub.predict(request("no-such-model", images, 1)))).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(stub.predict(request(model, images, 2)).getSource()).as("serving stays up").isEqualTo(PredictResponse.Source.OFFLOADED);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static PredictRequest request(String model, ByteDataset images, int i) {
        float[] raw = new float[images.featureCount()];
        images.copyRawFeatures(i, raw, 0);
        return PredictionMessages.request(model, "", raw);
    }

    /** @return the status code the call fails with (OK when it does not fail) */
    private static Status.Code status(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getDescription()).as("a description with the status").isNotBlank();
            return e.getStatus().getCode();
        }
    }

    private static long cacheHits(CoordinatorServer c) {
        return c.serving().cache().hits();
    }
}
