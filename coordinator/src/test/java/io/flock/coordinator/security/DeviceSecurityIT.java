package io.flock.coordinator.security;

import static io.flock.coordinator.security.SecureCoordinator.admin;
import static io.flock.coordinator.security.SecureCoordinator.devices;
import static io.flock.coordinator.security.SecureCoordinator.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flock.coordinator.security.SecureCoordinator.Call;
import io.flock.coordinator.security.SecureCoordinator.Device;
import io.flock.coordinator.store.DeviceIdentityRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.TlsCredentials;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.DeviceInfo;
import io.flock.proto.v1.EnrollResponse;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.ListModelsRequest;
import io.flock.proto.v1.ModelSummary;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RenewCertificateRequest;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.UpdateHeader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the coordinator's authenticated gRPC edge (issue 24), on a real coordinator over real loopback sockets:
 * calls without a certificate, over plaintext, with an expired, foreign, unrecorded or revoked certificate, the Admin
 * service without its token, and renewal. Each refusal is checked for its status and for what did not change. One
 * coordinator serves every test; each test uses its own device ids.
 */
@Timeout(120)
class DeviceSecurityIT {
    private static final String MODEL = "sec-mlp";
    @TempDir
    static Path dir;
    private static SecureCoordinator coordinator;
    private static FlockStore store;

    @BeforeAll
    static void start() throws Exception {
        coordinator = SecureCoordinator.start(dir.resolve("coordinator"), MODEL, Map.of());
        store = coordinator.server().store();
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    void deviceCalls_noClientCertificate_unauthenticatedAndNothingRecorded() {
        Device victim = coordinator.enroll("anon-victim");
        ManagedChannel anonymous = coordinator.anonymous();

        Map<String, Call> calls = deviceCalls(anonymous, victim);

        calls.forEach((name, call) -> assertThat(refusal(call).getCode()).as(name).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(store.runningVersion(victim.id())).isZero();
        assertThat(store.telemetry(victim.id(), 10)).isEmpty();
        assertThat(store.lastRejection(victim.id())).isEmpty();
        assertThat(store.updates(MODEL, 1)).isEmpty();
    }

    @Test
    void deviceCalls_adminTokenButNoClientCertificate_unauthenticated() {
        Device victim = coordinator.enroll("admin-token-victim");
        ManagedChannel anonymous = coordinator.anonymous();
        String bearer = coordinator.security().adminToken().bearer();
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of(AccessToken.HEADER, io.grpc.Metadata.ASCII_STRING_MARSHALLER), bearer);

        Status status = refusal(() -> devices(anonymous).withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
                .sendHeartbeat(coordinator.heartbeat(victim.id())));

        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(store.runningVersion(victim.id())).isZero();
    }

    @Test
    void deviceCalls_plaintextConnection_unavailableAndNothingStored() {
        ManagedChannel plaintext = coordinator.plaintext();

        Status register = refusal(() -> devices(plaintext).register(register("plain-1")));
        Status enroll = refusal(() -> devices(plaintext).enroll(SecureCoordinator.enrollment("plain-1", coordinator.token(1,
                Duration.ofMinutes(1)), DeviceKeys.generate().certificationRequest("plain-1"))));

        assertThat(register.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(enroll.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(store.deviceExists("plain-1")).isFalse();
    }

    @Test
    void revokeDevice_openChannel_nextCallUnauthenticatedAtOnce_newConnectionsAndRenewalToo() {
        Device a = coordinator.enroll("rev-a");
        ManagedChannel open = coordinator.channel(a);
        devices(open).reportTelemetry(telemetry(a.id()));

        int revoked = coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(a.id()).build())
                .getCertificatesRevoked();
        Status sameChannel = refusal(() -> devices(open).reportTelemetry(telemetry(a.id())));
        Status newChannel = refusal(() -> devices(coordinator.channel(a)).register(register(a.id())));
        Status renewal = refusal(() -> devices(coordinator.channel(a)).renewCertificate(renewal(DeviceKeys.generate(), a.id())));

        assertThat(revoked).isEqualTo(1);
        assertThat(sameChannel.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(sameChannel.getDescription()).contains("rev-a", "revoked");
        assertThat(newChannel.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(renewal.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(store.telemetry(a.id(), 10)).hasSize(1);
        assertThat(store.deviceIdentity(a.id())).contains(new DeviceIdentityRow(a.id(), true, null, true));
    }

    @Test
    void revokeDevice_unknownId_notFoundAndNothingStored() {
        Status status = refusal(() -> coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId("rev-nobody").build()));

        assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(status.getDescription()).contains("rev-nobody");
        assertThat(store.deviceIdentity("rev-nobody")).isEmpty();
    }

    @Test
    void revokeDevice_thenEnrolledAnew_oldCertificateStaysRefused() {
        Device stolen = coordinator.enroll("rev-again");
        coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(stolen.id()).build());

        Device fresh = coordinator.enroll(stolen.id());

        assertThat(coordinator.beat(fresh).getCurrentVersion()).isEqualTo(1);
        assertThat(refusal(() -> coordinator.beat(stolen)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void call_certificateOutsideItsValidity_refusedAndNothingChanged() {
        Device a = coordinator.enroll("exp-a");
        Duration validity = coordinator.server().config().security().deviceValidity();
        Instant now = Instant.now();
        CertificateAuthority ca = coordinator.security().authority();
        for (Instant issued : List.of(now.minus(validity).minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)))) {
            DeviceKeys keys = DeviceKeys.generate();
            X509Certificate cert = ca.issue(keys.certificationRequest(a.id()), a.id(), issued);
            // recorded as a's, so only its dates stand in the way
            store.addCertificate(a.id(), TlsCredentials.fingerprint(cert), cert.getNotAfter().getTime(), issued.toEpochMilli());
            ManagedChannel channel = coordinator.channel(coordinator.credentials(keys, cert));

            Status status = refusal(() -> devices(channel).sendHeartbeat(coordinator.heartbeat(a.id())));

            assertThat(status.getCode()).as("certificate valid %s .. %s", cert.getNotBefore(), cert.getNotAfter())
                    .isIn(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED);
        }
        assertThat(store.runningVersion(a.id())).isZero();
    }

    @Test
    void call_certificateFromAnotherCa_handshakeRefusedAndNothingChanged() throws Exception {
        Device a = coordinator.enroll("foreign-a");
        CertificateAuthority rogue = CertificateAuthority.loadOrCreate(dir.resolve("rogue-ca"), Duration.ofDays(1));
        DeviceKeys keys = DeviceKeys.generate();
        X509Certificate cert = rogue.issue(keys.certificationRequest(a.id()), a.id(), Instant.now());
        // same issuer name ("CN=Flock device CA"), recorded as a's: only the chain to the real CA stands in the way
        store.addCertificate(a.id(), TlsCredentials.fingerprint(cert), cert.getNotAfter().getTime(), System.currentTimeMillis());
        ManagedChannel channel = coordinator.channel(new TlsCredentials(keys.privateKey(), cert, rogue.certificate()));

        Status heartbeat = refusal(() -> devices(channel).sendHeartbeat(coordinator.heartbeat(a.id())));
        Status enroll = refusal(() -> devices(channel).enroll(SecureCoordinator.enrollment("foreign-b", coordinator.token(1,
                Duration.ofMinutes(1)), null)));

        assertThat(cert.getIssuerX500Principal()).isEqualTo(coordinator.authority().getSubjectX500Principal());
        assertThat(heartbeat.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(enroll.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(store.runningVersion(a.id())).isZero();
        assertThat(store.deviceIdentity("foreign-b")).isEmpty();
    }

    @Test
    void call_certificateFromTheCaButNeverRecorded_unauthenticated() {
        Device a = coordinator.enroll("unrecorded-a");
        DeviceKeys keys = DeviceKeys.generate();
        X509Certificate minted = coordinator.security().authority().issue(keys.certificationRequest(a.id()), a.id(), Instant.now());
        ManagedChannel channel = coordinator.channel(coordinator.credentials(keys, minted));

        Status status = refusal(() -> devices(channel).sendHeartbeat(coordinator.heartbeat(a.id())));

        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("unrecorded-a", "was not issued to it");
        assertThat(store.runningVersion(a.id())).isZero();
    }

    @Test
    void call_coordinatorsOwnCertificate_namesNoDevice_unauthenticated() {
        ManagedChannel channel = coordinator.channel(coordinator.security().credentials());

        Status register = refusal(() -> devices(channel).register(register("coordinator-as-device")));
        Status listModels = refusal(() -> admin(channel, null).listModels(ListModelsRequest.getDefaultInstance()));

        assertThat(register.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(register.getDescription()).contains("names no device");
        assertThat(listModels.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(store.deviceExists("coordinator-as-device")).isFalse();
    }

    @Test
    void admin_withoutTheAdminToken_unauthenticatedAndNothingDone() {
        Device victim = coordinator.enroll("admin-victim");
        String token = coordinator.security().adminToken().bearer().substring("Bearer ".length());
        Map<String, ManagedChannel> channels = new LinkedHashMap<>();
        channels.put("no certificate", coordinator.anonymous());
        channels.put("a device certificate", coordinator.channel(victim));
        Map<String, String> authorizations = new LinkedHashMap<>();
        authorizations.put("none", null);
        authorizations.put("a wrong token", "Bearer " + "x".repeat(token.length()));
        authorizations.put("the apps' token", coordinator.security().appToken().bearer());
        authorizations.put("the token without its scheme", token);
        authorizations.put("another scheme", "Basic " + token);
        authorizations.put("a prefix of the token", "Bearer " + token.substring(0, token.length() - 1));
        authorizations.put("the token and more", "Bearer " + token + "x");

        channels.forEach((how, channel) -> authorizations.forEach((what, authorization) -> {
            String as = how + ", " + what;
            assertThat(refusal(() -> admin(channel, authorization).listModels(ListModelsRequest.getDefaultInstance())).getCode())
                    .as(as).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refusal(() -> admin(channel, authorization).createEnrollmentToken(
                    io.flock.proto.v1.CreateEnrollmentTokenRequest.newBuilder().setUses(1).setTtlSeconds(60).build())).getCode())
                    .as(as).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refusal(() -> admin(channel, authorization).revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(victim.id())
                    .build())).getCode()).as(as).isEqualTo(Status.Code.UNAUTHENTICATED);
        }));

        assertThat(store.deviceIdentity(victim.id())).contains(new DeviceIdentityRow(victim.id(), true, null, false));
        assertThat(coordinator.beat(victim).getCurrentVersion()).isEqualTo(1);
    }

    @Test
    void admin_adminToken_listsModelsAndMakesTokensThatEnroll() {
        List<ModelSummary> models = coordinator.operator().listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
        String token = coordinator.operator().createEnrollmentToken(io.flock.proto.v1.CreateEnrollmentTokenRequest.newBuilder().setUses(1)
                .setTtlSeconds(60).build()).getToken();

        Device d = coordinator.enroll("admin-made", token);

        assertThat(models).extracting(ModelSummary::getModel, ModelSummary::getProductionVersion).containsExactly(
                org.assertj.core.groups.Tuple.tuple(MODEL, 1L));
        assertThat(coordinator.beat(d).getCurrentVersion()).isEqualTo(1);
    }

    @Test
    void renewCertificate_newKey_newCertificateWorks_andTheOldOneStillWorksUntilItExpires() {
        Device a = coordinator.enroll("renew-a");
        DeviceKeys next = DeviceKeys.generate();

        EnrollResponse r = devices(coordinator.channel(a)).renewCertificate(renewal(next, a.id()));

        X509Certificate renewed = TlsCredentials.certificate(r.getCertificate().toByteArray());
        assertThat(DeviceCertificates.deviceId(renewed)).isEqualTo(a.id());
        assertThat(renewed.getPublicKey()).isEqualTo(next.publicKey());
        assertThat(renewed.getSerialNumber()).isNotEqualTo(a.credentials().certificate().getSerialNumber());
        assertThat(r.getNotAfterUnixMs()).isEqualTo(renewed.getNotAfter().getTime());
        Device withRenewed = new Device(a.id(), next, coordinator.credentials(next, renewed));
        assertThat(coordinator.beat(withRenewed).getCurrentVersion()).isEqualTo(1);
        assertThat(coordinator.beat(a).getCurrentVersion()).isEqualTo(1);
    }

    @Test
    void renewCertificate_requestNamingAnotherDeviceOrGarbage_invalidArgumentAndNothingIssued() {
        Device thief = coordinator.enroll("renew-thief");
        Device victim = coordinator.enroll("renew-victim");
        ManagedChannel channel = coordinator.channel(thief);

        Status other = refusal(() -> devices(channel).renewCertificate(renewal(DeviceKeys.generate(), victim.id())));
        Status garbage = refusal(() -> devices(channel).renewCertificate(RenewCertificateRequest.newBuilder()
                .setCertificationRequest(ByteString.copyFromUtf8("not a certification request")).build()));

        assertThat(other.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(other.getDescription()).contains("CN=renew-victim", "CN=renew-thief");
        assertThat(garbage.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(store.deviceIdentity(victim.id())).contains(new DeviceIdentityRow(victim.id(), true, null, false));
    }

    /** @return every device call, each naming {@code device} in its body where it has one */
    private static Map<String, Call> deviceCalls(ManagedChannel channel, Device device) {
        String id = device.id();
        String sha = coordinator.server().registry().requireCurrent(MODEL).pushed().manifest().sha256();
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("Register", () -> devices(channel).register(register(id)));
        calls.put("SendHeartbeat", () -> devices(channel).sendHeartbeat(coordinator.heartbeat(id)));
        calls.put("ReportTelemetry", () -> devices(channel).reportTelemetry(telemetry(id)));
        calls.put("GetCurrentModel", () -> devices(channel).getCurrentModel(GetCurrentModelRequest.newBuilder().setDeviceId(id).build()));
        calls.put("FetchArtifact", () -> devices(channel).fetchArtifact(FetchArtifactRequest.newBuilder().setDeviceId(id).setSha256(sha)
                .build()).hasNext());
        calls.put("Predict", () -> devices(channel).predict(PredictionMessages.request(MODEL, id, new float[784])));
        calls.put("UploadUpdate", () -> SecureCoordinator.upload(channel, UpdateHeader.newBuilder().setDeviceId(id).setModel(MODEL)
                .setRound(1).setBaseVersion(1).setIdempotencyKey("k").setNumExamples(1).setCodec(CodecDescriptor.newBuilder()
                        .setName("fp32")).build(), new byte[16]));
        calls.put("RejectTask", () -> devices(channel).rejectTask(TaskRejection.newBuilder().setDeviceId(id).setModel(MODEL).setRound(1)
                .setTaskId("t").setReason("no").build()));
        calls.put("FetchBatchPredictions", () -> devices(channel).fetchBatchPredictions(FetchBatchRequest.newBuilder().setDeviceId(id)
                .setSet("s").build()).hasNext());
        calls.put("RenewCertificate", () -> devices(channel).renewCertificate(renewal(DeviceKeys.generate(), id)));
        return calls;
    }

    static RegisterRequest register(String id) {
        return RegisterRequest.newBuilder().setDevice(DeviceInfo.newBuilder().setDeviceId(id).setHardware("it")).build();
    }

    static Telemetry telemetry(String id) {
        return Telemetry.newBuilder().setDeviceId(id).setModel(MODEL).setRunningVersion(1).setLocalPredictions(5).build();
    }

    static RenewCertificateRequest renewal(DeviceKeys keys, String id) {
        return RenewCertificateRequest.newBuilder().setCertificationRequest(ByteString.copyFrom(keys.certificationRequest(id))).build();
    }
}
