package io.flock.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import io.flock.core.config.ConfigException;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SignatureException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    private static final Duration DAY = Duration.ofDays(1);
    @TempDir
    Path dir;

    @Test
    void issue_requestSignedByTheDevicesOwnKey_certifiesThatKeyNamingTheDevice() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), DAY);
        DeviceKeys keys = DeviceKeys.generate();
        Instant now = Instant.now();

        X509Certificate cert = ca.issue(keys.certificationRequest("gw-017"), "gw-017", now);

        cert.verify(ca.certificate().getPublicKey());
        assertThat(DeviceCertificates.deviceId(cert)).isEqualTo("gw-017");
        assertThat(cert.getPublicKey()).isEqualTo(keys.publicKey());
        assertThat(cert.getNotAfter()).isEqualTo(Date.from(now.plus(DAY).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // TLS client authentication
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(ca.certificate().getBasicConstraints()).isZero();
    }

    @Test
    void issue_requestNamingAnotherDevice_isRefused() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), DAY);

        assertThatThrownBy(() -> ca.issue(DeviceKeys.generate().certificationRequest("gw-2"), "gw-1", Instant.now()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("CN=gw-2").hasMessageContaining("CN=gw-1");
    }

    @Test
    void issue_tamperedJunkEmptyOrOversizedRequest_isRefused() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), DAY);
        byte[] good = DeviceKeys.generate().certificationRequest("gw-1");
        byte[] tampered = good.clone();
        tampered[tampered.length - 5] ^= 0x40; // inside the signature
        Instant now = Instant.now();

        assertThatThrownBy(() -> ca.issue(tampered, "gw-1", now)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("certification request");
        assertThatThrownBy(() -> ca.issue(new byte[] {0x30, 0x03, 1, 2, 3}, "gw-1", now)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("does not parse");
        assertThatThrownBy(() -> ca.issue(new byte[0], "gw-1", now)).isInstanceOf(InvalidInputException.class).hasMessageContaining("0 bytes");
        assertThatThrownBy(() -> ca.issue(new byte[5000], "gw-1", now)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("5000 bytes");
        assertThatThrownBy(() -> ca.issue(good, "gw/1", now)).isInstanceOf(InvalidInputException.class);
        // CertificationRequestFuzzTest's first finding: a request whose inner sequence is empty made Bouncy Castle's
        // ASN.1 parser throw ArrayIndexOutOfBoundsException, which the gRPC edge answered INTERNAL
        assertThatThrownBy(() -> ca.issue(new byte[] {0x30, 0x02, 0x30, 0x00}, "gw-1", now)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("does not parse");
    }

    @Test
    void certificate_pastItsValidity_isExpired_otherAuthority_doesNotVerify() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), DAY);
        CertificateAuthority other = CertificateAuthority.loadOrCreate(dir.resolve("other"), DAY);
        X509Certificate old = ca.issue(DeviceKeys.generate().certificationRequest("gw-1"), "gw-1", Instant.now().minus(Duration.ofDays(2)));
        X509Certificate foreign = other.issue(DeviceKeys.generate().certificationRequest("gw-1"), "gw-1", Instant.now());

        assertThatThrownBy(() -> old.checkValidity()).isInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(() -> foreign.verify(ca.certificate().getPublicKey())).isInstanceOf(SignatureException.class);
    }

    @Test
    void loadOrCreate_again_isTheSameAuthority_keyOwnerOnly_widenedKeyRefused() throws Exception {
        Path home = dir.resolve("ca");
        X509Certificate first = CertificateAuthority.loadOrCreate(home, DAY).certificate();

        assertThat(CertificateAuthority.loadOrCreate(home, DAY).certificate()).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("ca-key.pk8")))).isEqualTo("rw-------");
        Files.setPosixFilePermissions(home.resolve("ca-key.pk8"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home, DAY)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("chmod 600");
    }

    @Test
    void deviceKeys_loadOrCreate_keepsTheKeyOwnerOnly_andReloadsIt() throws Exception {
        DeviceKeys first = DeviceKeys.loadOrCreate(dir.resolve("device"));

        assertThat(DeviceKeys.loadOrCreate(dir.resolve("device")).publicKey()).isEqualTo(first.publicKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("device").resolve("device-key.pk8"))))
                .isEqualTo("rw-------");
    }
}
