package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.flock.agent.AgentConfig;
import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.batch.InputSet;
import io.flock.coordinator.cli.BatchCli;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.link.wire.PredictionMessages;
import io.flock.link.wire.SingleAnswer;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.BatchPredictionChunk;
import io.flock.proto.v1.BatchPredictionRow;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.InputSetHeader;
import io.flock.proto.v1.InputSetInfo;
import io.flock.proto.v1.InputSetPart;
import io.flock.proto.v1.LocalPredictionGrpc;
import io.flock.proto.v1.PredictResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch predictions over real sockets: a set registered with {@code bin/flock batch register} is computed by the
 * coordinator, pulled by a real agent, and answered from with source BATCH through the agent's local API; other inputs
 * are routed as before. A new device-model version makes the pulled set stale (not used) until the coordinator's
 * recomputed result is pulled. A broken pull resumes from the last row received with the same rows; hostile
 * registrations over the Admin service get their status and change nothing.
 */
@Timeout(180)
class BatchPredictionsIT {
    private static final int SET_ROWS = 300;
    @TempDir
    Path dir;

    @Test
    void registeredSet_pulledAndAnsweredAsBatch_staleAfterAPromotion_resumable_hostileRegistrationsChangeNothing() throws Exception {
        String model = Fixtures.unique("batch-");
        Path data = BundledData.subset();
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        int[] first = new int[SET_ROWS];
        for (int i = 0; i < SET_ROWS; i++) {
            first[i] = i;
        }
        Path setFile = dir.resolve("shelf-idx3-ubyte.gz");
        IdxFormat.writeLabelled(test.subset(first), 28, 28, setFile, dir.resolve("shelf-labels.gz"));
        AgentConfig.Batch pulls = new AgentConfig.Batch(List.of("shelf"), Duration.ofMinutes(10));
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c.withBatch(pulls)).devicePrefix(Fixtures.unique("bp") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 1,
                    Map.of("security.mode", "insecure", "eval.data-dir", "", "batch.interval", "0s", "batch.max-set-bytes", "1MiB", "batch.max-rows", "1000")));
            String target = "127.0.0.1:" + coordinator.port();
            assertThat(BatchCli.run("--coordinator", target, "--insecure", "register", "shelf", "--model", model, "--file", setFile.toString())).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> computed(coordinator) != null && computed(coordinator).version() == 1);
            assertThat(BatchCli.run("--coordinator", target, "--insecure", "list")).isZero();

            fleet.startAgents(Fixtures.partitions(1, 200), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            EdgeAgent agent = fleet.agents().get(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.batchSets().rows("shelf") == SET_ROWS);

            ManagedChannel app = NettyChannelBuilder.forAddress("127.0.0.1", agent.localApiPort()).usePlaintext().build();
            ManagedChannel cloud = NettyChannelBuilder.forTarget(target).usePlaintext().build();
            try {
                LocalPredictionGrpc.LocalPredictionBlockingStub api = LocalPredictionGrpc.newBlockingStub(app);
                CoordinatorGrpc.CoordinatorBlockingStub online = CoordinatorGrpc.newBlockingStub(cloud);
                for (int i : new int[] {0, 17, SET_ROWS - 1}) {
                    PredictResponse r = api.predict(PredictionMessages.request("", "", raw(test, i)));
                    assertThat(r.getSource()).isEqualTo(PredictResponse.Source.BATCH);
                    assertThat(r.getVersion()).isEqualTo(1);
                    PredictResponse o = online.predict(PredictionMessages.request(model, "", raw(test, i)));
                    assertThat(r.getLabel()).isEqualTo(o.getLabel());
                    for (int k = 0; k < o.getProbabilitiesCount(); k++) {
                        assertThat(r.getProbabilities(k)).isCloseTo(o.getProbabilities(k), within(1e-5f));
                    }
                }
                PredictResponse other = api.predict(PredictionMessages.request("", "", raw(test, 1500)));
                assertThat(other.getSource()).isIn(PredictResponse.Source.LOCAL, PredictResponse.Source.OFFLOADED);

                ModelVersion v2 = coordinator.publish(coordinator.registry().globalParameters(coordinator.registry().requireCurrent(model)));
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.localModel().version() == v2.version());
                assertThat(api.predict(PredictionMessages.request("", "", raw(test, 17))).getSource())
                        .as("the pulled set stands for version 1, the device runs 2").isNotEqualTo(PredictResponse.Source.BATCH);
                await().atMost(Duration.ofSeconds(30)).until(() -> computed(coordinator).version() == v2.version());
                agent.batchSets().refreshNow();
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.batchSets().deviceVersion("shelf") == v2.version());
                PredictResponse fresh = api.predict(PredictionMessages.request("", "", raw(test, 17)));
                assertThat(fresh.getSource()).isEqualTo(PredictResponse.Source.BATCH);
                assertThat(fresh.getVersion()).isEqualTo(v2.version());
                assertThat(agent.router().count(io.flock.agent.offload.Answer.Source.BATCH)).isEqualTo(4);

                String device = agent.config().deviceId();
                List<BatchPredictionRow> whole = fetch(online, device, "shelf", 0, 40, Integer.MAX_VALUE);
                assertThat(whole).hasSize(SET_ROWS);
                List<BatchPredictionRow> broken = fetch(online, device, "shelf", 0, 40, 2);
                assertThat(broken).hasSize(80);
                broken.addAll(fetch(online, device, "shelf", broken.size(), 40, Integer.MAX_VALUE));
                assertThat(broken).isEqualTo(whole);
                assertThat(oneChunk(online, device, 0).getSerializedSize()).as("default chunking").isLessThanOrEqualTo(1 << 20);
                assertThat(status(() -> fetch(online, device, "nope", 0, 0, 1), "nope")).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(status(() -> fetch(online, device, "shelf", SET_ROWS + 1, 0, 1), "shelf")).isEqualTo(Status.Code.INVALID_ARGUMENT);

                hostileRegistrations_changeNothing(cloud, model, coordinator);
                assertThat(api.predict(PredictionMessages.request("", "", raw(test, 17))).getSource()).isEqualTo(PredictResponse.Source.BATCH);
            } finally {
                app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                cloud.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void hostileRegistrations_changeNothing(ManagedChannel cloud, String model, CoordinatorServer coordinator)
            throws Exception {
        InputSet before = coordinator.inputSets().list().get(0);
        String fourFeatures = "1,2,3,4\n";
        String nan = "0,".repeat(783) + "NaN\n";
        assertThat(register(cloud, "shelf", model, "csv", fourFeatures.getBytes(StandardCharsets.US_ASCII))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(register(cloud, "shelf", model, "csv", nan.getBytes(StandardCharsets.US_ASCII))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(register(cloud, "shelf", model, "csv", new byte[0])).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(register(cloud, "shelf", "no-such-model", "csv", fourFeatures.getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(register(cloud, "shelf", model, "csv", new byte[3 << 20])).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(register(cloud, "../etc", model, "csv", fourFeatures.getBytes(StandardCharsets.US_ASCII))).isEqualTo(Status.Code.INVALID_ARGUMENT);

        assertThat(coordinator.inputSets().list()).singleElement().satisfies(s -> {
            assertThat(s.sha256()).isEqualTo(before.sha256());
            assertThat(s.computed()).isEqualTo(before.computed());
        });
    }

    private static InputSet.Computed computed(CoordinatorServer c) {
        return c.inputSets().list().get(0).computed();
    }

    private static float[] raw(ByteDataset d, int i) {
        float[] raw = new float[d.featureCount()];
        d.copyRawFeatures(i, raw, 0);
        return raw;
    }

    /** @return rows from {@code offset} in chunks of {@code maxRows}; the call is cancelled after {@code chunks} chunks (a broken pull) */
    private static List<BatchPredictionRow> fetch(CoordinatorGrpc.CoordinatorBlockingStub stub, String device, String set, long offset,
                                                  int maxRows, int chunks) {
        List<BatchPredictionRow> rows = new ArrayList<>();
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            call.run(() -> {
                Iterator<BatchPredictionChunk> it = stub.withDeadlineAfter(20, TimeUnit.SECONDS).fetchBatchPredictions(FetchBatchRequest
                        .newBuilder().setDeviceId(device).setSet(set).setOffsetRows(offset).setMaxRows(maxRows).build());
                for (int n = 0; n < chunks && it.hasNext(); n++) {
                    BatchPredictionChunk c = it.next();
                    assertThat(c.getOffsetRows()).isEqualTo(offset + rows.size());
                    rows.addAll(c.getRowsList());
                }
            });
        }
        return rows;
    }

    private static BatchPredictionChunk oneChunk(CoordinatorGrpc.CoordinatorBlockingStub stub, String device, long offset) {
        Iterator<BatchPredictionChunk> it = stub.withDeadlineAfter(20, TimeUnit.SECONDS).fetchBatchPredictions(FetchBatchRequest.newBuilder()
                .setDeviceId(device).setSet("shelf").setOffsetRows(offset).build());
        BatchPredictionChunk c = it.next();
        while (it.hasNext()) {
            it.next();
        }
        return c;
    }

    /** @return the status code the call fails with; {@code set} is the set name the call asks for */
    private static Status.Code status(Runnable call, String set) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getDescription()).as("a description with the status for %s", set).isNotBlank();
            return e.getStatus().getCode();
        }
    }

    /** @return the status code of a registration over Admin.RegisterInputSet, streamed in 1 MiB parts as the CLI streams */
    private static Status.Code register(ManagedChannel channel, String name, String model, String format, byte[] file) throws Exception {
        SingleAnswer<InputSetInfo> answer = new SingleAnswer<>("the coordinator ended the call without an answer");
        CompletableFuture<InputSetInfo> result = answer.future();
        StreamObserver<InputSetPart> req = AdminGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).registerInputSet(answer);
        req.onNext(InputSetPart.newBuilder().setHeader(InputSetHeader.newBuilder().setName(name).setModel(model).setFormat(format)).build());
        for (int from = 0; from < file.length && !result.isDone(); from += 1 << 20) {
            req.onNext(InputSetPart.newBuilder().setData(ByteString.copyFrom(file, from, Math.min(1 << 20, file.length - from))).build());
        }
        req.onCompleted();
        try {
            result.get(20, TimeUnit.SECONDS);
            return Status.Code.OK;
        } catch (ExecutionException e) {
            Status s = Status.fromThrowable(e.getCause());
            assertThat(s.getDescription()).as("a description").isNotBlank();
            return s.getCode();
        }
    }
}
