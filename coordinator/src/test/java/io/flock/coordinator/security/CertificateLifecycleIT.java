package io.flock.coordinator.security;

import static io.flock.coordinator.security.SecureCoordinator.devices;
import static io.flock.coordinator.security.SecureCoordinator.refusal;
import static io.flock.coordinator.security.SecureCoordinator.register;
import static io.flock.coordinator.security.SecureCoordinator.renewal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.flock.coordinator.security.SecureCoordinator.Device;
import io.flock.coordinator.store.DeviceIdentityRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.TlsCredentials;
import io.flock.proto.v1.EnrollResponse;
import io.flock.proto.v1.RenewCertificateRequest;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device certificate's life after enrollment, attacked on a real coordinator (issue 24): revocation ends a device's
 * calls at once on its open connection and on new ones, takes it out of the rounds, survives the id enrolling anew, and
 * refuses renewal; renewal gives a new certificate beside the old one, for the caller's own id only. One coordinator
 * serves every test; each test uses its own device ids.
 */
@Timeout(120)
class CertificateLifecycleIT {
    private static final String MODEL = "life-mlp";
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
    void revokeDevice_openChannel_nextCallUnauthenticatedAtOnce_newConnectionsAndRenewalToo() {
        Device a = coordinator.enroll("rev-a");
        ManagedChannel open = coordinator.channel(a);
        devices(open).reportTelemetry(coordinator.telemetry(a.id()));

        int revoked = coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(a.id()).build())
                .getCertificatesRevoked();
        Status sameChannel = refusal(() -> devices(open).reportTelemetry(coordinator.telemetry(a.id())));
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
    void revokeDevice_connectedDevice_leavesTheRoundsAndCannotComeBack() throws Exception {
        Device a = coordinator.enroll("rev-online");
        coordinator.online(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.server().devices().available().contains(a.id()));

        coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(a.id()).build());

        await().atMost(Duration.ofSeconds(5)).until(() -> !coordinator.server().devices().available().contains(a.id()));
        assertThatThrownBy(() -> coordinator.online(a)).isInstanceOf(MqttException.class);
        assertThat(coordinator.server().devices().available()).doesNotContain(a.id());
    }

    @Test
    void revokeDevice_behindAConnectedGateway_leavesTheRounds() throws Exception {
        Device gateway = coordinator.enroll("rev-gateway");
        String sensor = "rev-gateway-sensor";
        devices(coordinator.channel(gateway)).enroll(SecureCoordinator.enrollment(sensor, coordinator.token(1, Duration.ofMinutes(1)),
                null));
        coordinator.online(gateway, sensor);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.server().devices().available().contains(sensor));

        coordinator.operator().revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId(sensor).build());

        assertThat(store.deviceIdentity(sensor).orElseThrow().revoked()).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(coordinator.server().devices().available())
                .as("devices rounds may sample").doesNotContain(sensor).contains(gateway.id()));
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
}
