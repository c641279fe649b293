package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad updates get a clear status and change nothing; the round then completes with the good ones. */
@Timeout(120)
class UpdateRejectionIT {
    @TempDir
    Path dir;

    @Test
    void badUpdates_rejectedWithClearStatus_roundUnaffected_duplicateAcceptedOnce() throws Exception {
        String model = Fixtures.unique("bad-");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c)) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 2,
                    Map.of("security.mode", "insecure", "limits.max-update-bytes", "256KiB")));
            List<io.flock.core.data.ByteDataset> noData = new ArrayList<>(Arrays.asList(null, null));
            fleet.startAgents(noData, coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            String d1 = fleet.agents().get(0).config().deviceId();
            String d2 = fleet.agents().get(1).config().deviceId();
            ModelVersion v1 = coordinator.registry().requireCurrent(model);
            ModelParameters global = coordinator.registry().globalParameters(v1);
            CompletableFuture<RoundResult> round = CompletableFuture.supplyAsync(() -> {
                try {
                    return coordinator.rounds().runRound();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.rounds().acceptedInOpenRound() == 0);

            try (RawDevice raw = new RawDevice(coordinator.port())) {
                ModelParameters wrongShape = new ModelParameters(List.of(new Tensor("w", new int[] {3}, new float[3])));
                ModelParameters nan = RawDevice.filled(global, 0.01f);
                nan.tensors().get(0).data()[5] = Float.NaN;
                ModelParameters inf = RawDevice.filled(global, 0.01f);
                inf.tensors().get(1).data()[0] = Float.NEGATIVE_INFINITY;
                ModelParameters good = RawDevice.filled(global, 0.01f);

                expect(() -> raw.upload(RawDevice.header(model, d1, 1, 1, 100).build(), wrongShape), Status.Code.INVALID_ARGUMENT, "the model has");
                expect(() -> raw.upload(RawDevice.header(model, d1, 1, 1, 100).build(), nan), Status.Code.INVALID_ARGUMENT, "NaN at index 5");
                expect(() -> raw.upload(RawDevice.header(model, d1, 1, 1, 100).build(), inf), Status.Code.INVALID_ARGUMENT, "-Infinity");
                expect(() -> raw.upload(RawDevice.header(model, d1, 7, 1, 100).build(), good), Status.Code.FAILED_PRECONDITION, "round 7");
                expect(() -> raw.upload(RawDevice.header(model, d1, 1, 0, 100).build(), good), Status.Code.FAILED_PRECONDITION, "version 0");
                expect(() -> raw.upload(RawDevice.header(model, d1, 1, 1, 0).build(), good), Status.Code.INVALID_ARGUMENT, "num_examples");
                expect(() -> raw.upload(RawDevice.header(model, "intruder", 1, 1, 100).build(), good), Status.Code.UNAUTHENTICATED, "intruder");
                expect(() -> raw.send(null, new byte[] {1, 2, 3}), Status.Code.INVALID_ARGUMENT, "header");
                expect(() -> raw.send(RawDevice.header(model, d1, 1, 1, 100).build(), new byte[] {1, 2, 3}), Status.Code.INVALID_ARGUMENT, "truncated fp32");
                expect(() -> raw.send(RawDevice.header(model, d1, 1, 1, 100).build(), new byte[300 * 1024]), Status.Code.RESOURCE_EXHAUSTED,
                        "limits.max-update-bytes");
                expect(() -> raw.send(RawDevice.header(model, d1, 1, 1, 100).setPayloadSha256("0".repeat(64)).build(),
                        io.flock.core.codec.Codecs.FP32.encode(good)), Status.Code.INVALID_ARGUMENT, "payload_sha256");
                assertThat(coordinator.rounds().acceptedInOpenRound()).isZero();

                UploadReceipt first = raw.upload(RawDevice.header(model, d1, 1, 1, 100).build(), good);
                UploadReceipt again = raw.upload(RawDevice.header(model, d1, 1, 1, 100).build(), good);
                assertThat(first.getOutcome()).isEqualTo(UploadReceipt.Outcome.ACCEPTED);
                assertThat(again.getOutcome()).isEqualTo(UploadReceipt.Outcome.DUPLICATE);
                assertThat(coordinator.rounds().acceptedInOpenRound()).isEqualTo(1);
                raw.upload(RawDevice.header(model, d2, 1, 1, 300).build(), RawDevice.filled(global, 0.03f));
            }

            RoundResult result = round.get();
            assertThat(result.accepted()).isEqualTo(2);
            assertThat(result.failures()).isZero();
            ModelParameters next = coordinator.registry().globalParameters(coordinator.registry().requireCurrent(model));
            // FedAvg: global + (100 * 0.01 + 300 * 0.03) / 400 = global + 0.025
            float[] before = global.tensors().get(0).data();
            float[] after = next.tensors().get(0).data();
            for (int i = 0; i < before.length; i += 997) {
                assertThat(after[i]).isCloseTo(before[i] + 0.025f, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    private static void expect(ThrowingCallable call, Status.Code code, String text) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(text);
        });
    }
}
