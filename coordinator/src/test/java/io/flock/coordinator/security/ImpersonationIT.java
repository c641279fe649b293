package io.flock.coordinator.security;

import static io.flock.coordinator.security.SecureCoordinator.devices;
import static io.flock.coordinator.security.SecureCoordinator.enrollment;
import static io.flock.coordinator.security.SecureCoordinator.headerRefusal;
import static io.flock.coordinator.security.SecureCoordinator.refusal;
import static io.flock.coordinator.security.SecureCoordinator.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundResult;
import io.flock.coordinator.security.SecureCoordinator.Call;
import io.flock.coordinator.security.SecureCoordinator.Device;
import io.flock.coordinator.store.DeviceIdentityRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.core.codec.Codecs;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device with a good certificate acting for another (issue 24) on a real coordinator: every call whose body names
 * another device is refused PERMISSION_DENIED and records nothing for it, while the same call for itself is served;
 * uploads under another device's id are refused at the header, its task and idempotency key cannot be taken, and a
 * round still takes both devices' own updates. A gateway acts for the devices enrolled behind it, and no one else does.
 */
@Timeout(120)
class ImpersonationIT {
    private static final String MODEL = "imp-mlp";
    @TempDir
    static Path dir;
    private static SecureCoordinator coordinator;
    private static FlockStore store;

    @BeforeAll
    static void start() throws Exception {
        coordinator = SecureCoordinator.start(dir.resolve("coordinator"), MODEL, Map.of("round.devices", "2", "round.min-results", "2",
                "round.min-available", "2", "round.timeout", "30s"));
        store = coordinator.server().store();
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) {
            coordinator.server().rounds().stop();
            coordinator.close();
        }
    }

    @Test
    void deviceCalls_bodyNamingAnotherDevice_permissionDeniedAndNothingRecordedForIt() {
        Device a = coordinator.enroll("imp-a");
        Device b = coordinator.enroll("imp-b");
        ManagedChannel channel = coordinator.channel(a);

        calls(channel, b.id()).forEach((name, call) -> {
            Status status = refusal(call);
            assertThat(status.getCode()).as(name).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).as(name).contains("imp-a", "imp-b");
        });

        assertThat(store.runningVersion(b.id())).isZero();
        assertThat(store.telemetry(b.id(), 10)).isEmpty();
        assertThat(store.lastRejection(b.id())).isEmpty();
        assertThat(store.deviceIdentity(b.id())).contains(new DeviceIdentityRow(b.id(), true, null, false));
    }

    @Test
    void deviceCalls_bodyNamingTheCaller_served() {
        Device a = coordinator.enroll("imp-self");
        ManagedChannel channel = coordinator.channel(a);
        Map<String, Call> calls = calls(channel, a.id());

        for (String name : List.of("Register", "SendHeartbeat", "ReportTelemetry", "GetCurrentModel", "FetchArtifact", "RejectTask")) {
            try {
                calls.get(name).run();
            } catch (Exception e) {
                throw new AssertionError(name + " for the caller itself failed", e);
            }
        }
        Status batch = refusal(calls.get("FetchBatchPredictions"));
        Status upload = refusal(calls.get("UploadUpdate"));

        assertThat(batch.getCode()).as("a domain refusal: no such set").isEqualTo(Status.Code.NOT_FOUND);
        assertThat(upload.getCode()).as("a domain refusal: no task").isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(store.runningVersion(a.id())).isEqualTo(1);
        assertThat(store.telemetry(a.id(), 10)).hasSize(1);
        assertThat(store.lastRejection(a.id())).isEqualTo("impersonated");
    }

    @Test
    void uploadUpdate_anotherDevicesIdTaskOrKey_refusedOrKeptApart_andTheRoundTakesBothOwnUpdates() throws Exception {
        Device a = coordinator.enroll("up-a");
        Device b = coordinator.enroll("up-b");
        coordinator.online(a);
        coordinator.online(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.server().devices().available().containsAll(List.of(a.id(), b.id())));
        CompletableFuture<RoundResult> round = CompletableFuture.supplyAsync(() -> {
            try {
                return coordinator.server().rounds().runRound();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.server().rounds().acceptedInOpenRound() == 0);
        RoundRecord open = store.openRound(MODEL).orElseThrow();
        assertThat(open.selected()).containsExactlyInAnyOrder(a.id(), b.id());
        long r = open.round();
        byte[] delta = Codecs.FP32.encode(filled(coordinator.server().registry().globalParameters(
                coordinator.server().registry().requireCurrent(MODEL)), 0.01f));
        UpdateHeader ofB = header(b.id(), r).build();
        ManagedChannel asA = coordinator.channel(a);

        Status atHeader = headerRefusal(asA, ofB);
        Status streamed = refusal(() -> upload(asA, ofB, delta));
        Status ownIdBTask = refusal(() -> upload(asA, ofB.toBuilder().setDeviceId(a.id()).setIdempotencyKey("a-1").build(), delta));
        Status callerBTask = refusal(() -> upload(asA, ofB.toBuilder().setDeviceId("").setIdempotencyKey("a-2").build(), delta));
        Status rejectForB = refusal(() -> devices(asA).rejectTask(rejection(b.id(), ofB.getTaskId(), r)));
        boolean rejectedBTaskAsA = devices(asA).rejectTask(rejection(a.id(), ofB.getTaskId(), r)).getRecorded();

        assertThat(atHeader.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(streamed.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(ownIdBTask.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(ownIdBTask.getDescription()).contains("up-a has no task");
        assertThat(callerBTask.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(rejectForB.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(rejectedBTaskAsA).as("a's rejection of b's task id does not end b's task").isFalse();
        assertThat(coordinator.server().rounds().acceptedInOpenRound()).isZero();
        assertThat(store.updates(MODEL, r)).isEmpty();
        assertThat(store.lastRejection(b.id())).isEmpty();

        UploadReceipt ofAUnderBKey = upload(asA, header(a.id(), r).setIdempotencyKey(ofB.getIdempotencyKey()).build(), delta);
        UploadReceipt ofBOwn = upload(coordinator.channel(b), ofB, delta);

        assertThat(ofAUnderBKey.getOutcome()).isEqualTo(UploadReceipt.Outcome.ACCEPTED);
        assertThat(ofBOwn.getOutcome()).as("b's key is b's alone").isEqualTo(UploadReceipt.Outcome.ACCEPTED);
        RoundResult result = round.get(30, TimeUnit.SECONDS);
        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.failures()).isZero();
        assertThat(store.updates(MODEL, r)).extracting(StoredUpdate::deviceId).containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    void gateway_actsForTheDeviceEnrolledBehindIt_othersMayNot_andNoLongerOnceItIsRevoked() {
        Device gateway = coordinator.enroll("gw-1");
        Device other = coordinator.enroll("gw-other");
        String sensor = "gw-1-sensor";
        ManagedChannel asGateway = coordinator.channel(gateway);
        ManagedChannel asOther = coordinator.channel(other);

        assertThat(devices(asGateway).enroll(enrollment(sensor, coordinator.token(1, Duration.ofMinutes(1)), null)).getCertificate())
                .as("a device behind a gateway gets no certificate").isEmpty();
        devices(asGateway).sendHeartbeat(coordinator.heartbeat(sensor));
        devices(asGateway).reportTelemetry(coordinator.telemetry(sensor));
        Status byOther = refusal(() -> devices(asOther).reportTelemetry(coordinator.telemetry(sensor)));
        coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(sensor).build());
        Status afterRevocation = refusal(() -> devices(asGateway).reportTelemetry(coordinator.telemetry(sensor)));

        assertThat(store.deviceIdentity(sensor)).contains(new DeviceIdentityRow(sensor, true, gateway.id(), true));
        assertThat(store.runningVersion(sensor)).isEqualTo(1);
        assertThat(byOther.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(afterRevocation.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(store.telemetry(sensor, 10)).hasSize(1);
        assertThat(devices(asGateway).sendHeartbeat(coordinator.heartbeat(gateway.id())).getCurrentVersion()).isEqualTo(1);
    }

    /** @return the device calls that name a device in their body, each naming {@code id} */
    private static Map<String, Call> calls(ManagedChannel channel, String id) {
        String sha = coordinator.server().registry().requireCurrent(MODEL).pushed().manifest().sha256();
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("Register", () -> devices(channel).register(SecureCoordinator.register(id)));
        calls.put("SendHeartbeat", () -> devices(channel).sendHeartbeat(coordinator.heartbeat(id)));
        calls.put("ReportTelemetry", () -> devices(channel).reportTelemetry(coordinator.telemetry(id)));
        calls.put("GetCurrentModel", () -> devices(channel).getCurrentModel(GetCurrentModelRequest.newBuilder().setDeviceId(id).build()));
        calls.put("FetchArtifact", () -> devices(channel).fetchArtifact(FetchArtifactRequest.newBuilder().setDeviceId(id).setSha256(sha)
                .build()).forEachRemaining(c -> { }));
        calls.put("RejectTask", () -> devices(channel).rejectTask(rejection(id, "t", 1)));
        calls.put("FetchBatchPredictions", () -> devices(channel).fetchBatchPredictions(FetchBatchRequest.newBuilder().setDeviceId(id)
                .setSet("no-such-set").build()).hasNext());
        calls.put("UploadUpdate", () -> upload(channel, header(id, 1).build(), new byte[16]));
        return calls;
    }

    private static TaskRejection rejection(String id, String taskId, long round) {
        return TaskRejection.newBuilder().setDeviceId(id).setModel(MODEL).setRound(round).setTaskId(taskId).setReason("impersonated").build();
    }

    /** @return the header of {@code device}'s own update in round {@code round}: its task id and its idempotency key */
    private static UpdateHeader.Builder header(String device, long round) {
        return UpdateHeader.newBuilder().setDeviceId(device).setModel(MODEL).setTaskId(RoundEngine.taskId(MODEL, round, device))
                .setRound(round).setBaseVersion(1).setIdempotencyKey("r" + round + "-" + device + "/k").setNumExamples(100)
                .setCodec(CodecDescriptor.newBuilder().setName("fp32"));
    }

    /** @return parameters shaped like {@code layout}, every value {@code value} */
    private static ModelParameters filled(ModelParameters layout, float value) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : layout.tensors()) {
            float[] d = new float[t.size()];
            Arrays.fill(d, value);
            out.add(new Tensor(t.name(), t.shape(), d));
        }
        return new ModelParameters(out);
    }
}
