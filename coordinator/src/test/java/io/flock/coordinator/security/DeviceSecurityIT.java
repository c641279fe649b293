package io.flock.coordinator.security;

import static io.flock.coordinator.security.SecureCoordinator.admin;
import static io.flock.coordinator.security.SecureCoordinator.devices;
import static io.flock.coordinator.security.SecureCoordinator.refusal;
import static io.flock.coordinator.security.SecureCoordinator.register;
import static io.flock.coordinator.security.SecureCoordinator.renewal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.flock.coordinator.security.SecureCoordinator.Call;
import io.flock.coordinator.security.SecureCoordinator.Device;
import io.flock.coordinator.store.DeviceIdentityRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.TlsCredentials;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.CreateEnrollmentTokenRequest;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.ListModelsRequest;
import io.flock.proto.v1.ModelSummary;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.UpdateHeader;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the coordinator's authenticated gRPC edge (issue 24), on a real coordinator over real loopback sockets:
 * every device call without a certificate, over plaintext, or with a certificate that is expired, not yet valid, from
 * another CA, signed by a device's own key, never recorded, or the coordinator's; and the Admin service without its
 * token. Each refusal is checked for its status and for what did not change. One coordinator serves every test; each
 * test uses its own device ids.
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
    void call_certificateADeviceSignedForAnother_handshakeRefusedAndNothingChanged() throws Exception {
        Device forger = coordinator.enroll("forger");
        Device victim = coordinator.enroll("forged-victim");
        DeviceKeys keys = DeviceKeys.generate();
        X509Certificate issuer = forger.credentials().certificate();
        Instant now = Instant.now();
        X509Certificate forged = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(300)), Date.from(now.plus(Duration.ofDays(1))),
                new X500Principal("CN=" + victim.id()), keys.publicKey())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(
                        GeneralName.uniformResourceIdentifier, DeviceCertificates.uri(victim.id()))))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(forger.keys().privateKey())));
        // recorded as the victim's: only the chain (through a certificate that is no CA) stands in the way
        store.addCertificate(victim.id(), TlsCredentials.fingerprint(forged), forged.getNotAfter().getTime(), now.toEpochMilli());
        KeyStore chain = KeyStore.getInstance("PKCS12");
        chain.load(null, null);
        chain.setKeyEntry("forged", keys.privateKey(), new char[0], new X509Certificate[] {forged, issuer, coordinator.authority()});
        KeyManagerFactory presented = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        presented.init(chain, new char[0]);
        ManagedChannel channel = coordinator.channel(presented.getKeyManagers());

        Status status = refusal(() -> devices(channel).sendHeartbeat(coordinator.heartbeat(victim.id())));

        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(store.runningVersion(victim.id())).isZero();
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
                    CreateEnrollmentTokenRequest.newBuilder().setUses(1).setTtlSeconds(60).build())).getCode())
                    .as(as).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refusal(() -> admin(channel, authorization).revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(victim.id())
                    .build())).getCode()).as(as).isEqualTo(Status.Code.UNAUTHENTICATED);
        }));

        assertThat(store.deviceIdentity(victim.id())).contains(new DeviceIdentityRow(victim.id(), true, null, false));
        assertThat(coordinator.beat(victim).getCurrentVersion()).isEqualTo(1);
    }

    @Test
    void admin_adminToken_listsModelsAndMakesTokensWithinTheirLimits() {
        List<ModelSummary> models = coordinator.operator().listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
        String token = coordinator.operator().createEnrollmentToken(CreateEnrollmentTokenRequest.newBuilder().setUses(1).setTtlSeconds(60)
                .build()).getToken();
        Device d = coordinator.enroll("admin-made", token);

        assertThat(models).extracting(ModelSummary::getModel, ModelSummary::getProductionVersion).containsExactly(tuple(MODEL, 1L));
        assertThat(coordinator.beat(d).getCurrentVersion()).isEqualTo(1);
        for (CreateEnrollmentTokenRequest outside : List.of(CreateEnrollmentTokenRequest.newBuilder().setUses(0).setTtlSeconds(60).build(),
                CreateEnrollmentTokenRequest.newBuilder().setUses(Enrollment.MAX_USES + 1).setTtlSeconds(60).build(),
                CreateEnrollmentTokenRequest.newBuilder().setUses(1).setTtlSeconds(0).build(),
                CreateEnrollmentTokenRequest.newBuilder().setUses(1).setTtlSeconds(Enrollment.MAX_TTL.toSeconds() + 1).build())) {
            assertThat(refusal(() -> coordinator.operator().createEnrollmentToken(outside)).getCode()).as("%s", outside)
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    /** @return every device call, each naming {@code device} in its body where it has one */
    private static Map<String, Call> deviceCalls(ManagedChannel channel, Device device) {
        String id = device.id();
        String sha = coordinator.server().registry().requireCurrent(MODEL).pushed().manifest().sha256();
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("Register", () -> devices(channel).register(register(id)));
        calls.put("SendHeartbeat", () -> devices(channel).sendHeartbeat(coordinator.heartbeat(id)));
        calls.put("ReportTelemetry", () -> devices(channel).reportTelemetry(coordinator.telemetry(id)));
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
}
