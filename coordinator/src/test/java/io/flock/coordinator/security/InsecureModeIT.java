package io.flock.coordinator.security;

import static io.flock.coordinator.security.SecureCoordinator.admin;
import static io.flock.coordinator.security.SecureCoordinator.devices;
import static io.flock.coordinator.security.SecureCoordinator.enrollment;
import static io.flock.coordinator.security.SecureCoordinator.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.identity.DeviceKeys;
import io.flock.proto.v1.CreateEnrollmentTokenRequest;
import io.flock.proto.v1.DeviceInfo;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RenewCertificateRequest;
import io.flock.proto.v1.RevokeDeviceRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code security.mode=insecure} on a real coordinator: plaintext gRPC, devices Register without enrolling, and every
 * identity call (Enroll, RenewCertificate, CreateEnrollmentToken, RevokeDevice) refused FAILED_PRECONDITION; no CA,
 * certificate or token is made.
 */
@Timeout(120)
class InsecureModeIT {
    @TempDir
    Path dir;

    @Test
    void identityCalls_insecureMode_failedPrecondition_andRegisterWorksOverPlaintext() throws Exception {
        Path data = dir.resolve("coordinator");
        try (SecureCoordinator coordinator = SecureCoordinator.start(data, "insecure-mlp", Map.of("security.mode", "insecure"))) {
            CoordinatorServer server = coordinator.server();
            ManagedChannel plaintext = coordinator.plaintext();

            Status enroll = refusal(() -> devices(plaintext).enroll(enrollment("ins-1", "fet_any", DeviceKeys.generate()
                    .certificationRequest("ins-1"))));
            Status renew = refusal(() -> devices(plaintext).renewCertificate(RenewCertificateRequest.newBuilder()
                    .setCertificationRequest(ByteString.copyFrom(DeviceKeys.generate().certificationRequest("ins-1"))).build()));
            Status token = refusal(() -> admin(plaintext, null).createEnrollmentToken(CreateEnrollmentTokenRequest.newBuilder().setUses(1)
                    .setTtlSeconds(60).build()));
            Status revoke = refusal(() -> admin(plaintext, null).revokeDevice(RevokeDeviceRequest.newBuilder().setDeviceId("ins-1").build()));
            String registered = devices(plaintext).register(RegisterRequest.newBuilder().setDevice(DeviceInfo.newBuilder()
                    .setDeviceId("ins-1").setHardware("it")).build()).getDeviceId();
            long current = devices(plaintext).sendHeartbeat(Heartbeat.newBuilder().setDeviceId("ins-1").setModel("insecure-mlp")
                    .setRunningVersion(1).build()).getCurrentVersion();

            assertThat(enroll.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(enroll.getDescription()).contains("security.mode=insecure");
            assertThat(renew.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(token.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(revoke.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(registered).isEqualTo("ins-1");
            assertThat(current).isEqualTo(1);
            assertThat(server.store().deviceExists("ins-1")).isTrue();
            assertThat(server.store().deviceIdentity("ins-1").orElseThrow().enrolled()).isFalse();
            assertThat(server.security()).isEmpty();
            assertThat(data.resolve("keys/ca")).doesNotExist();
            assertThat(data.resolve("keys/admin-token")).doesNotExist();
        }
    }
}
