package io.flock.coordinator.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.InvalidInputException;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * Fuzzes {@link CertificateAuthority#issue}, which parses the certification request an unauthenticated caller sends to
 * Enroll: any bytes (a real request with bytes flipped, or noise) are refused with {@link InvalidInputException}, or give
 * a certificate naming exactly the requested device, never anything else.
 */
class CertificationRequestFuzzTest {
    private static final CertificateAuthority CA = authority();
    private static final byte[] REQUEST = DeviceKeys.generate().certificationRequest("d-1");

    private static CertificateAuthority authority() {
        try {
            return CertificateAuthority.loadOrCreate(Files.createTempDirectory("flock-ca-fuzz").resolve("ca"), Duration.ofHours(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "5s")
    void issue_anyRequest_refusedOrNamesTheDevice(FuzzedDataProvider data) {
        byte[] request;
        if (data.consumeBoolean()) {
            request = REQUEST.clone();
            int flips = data.consumeInt(1, 4);
            for (int i = 0; i < flips; i++) {
                int at = data.consumeInt(0, request.length - 1);
                request[at] = data.consumeByte();
            }
        } else {
            request = data.consumeRemainingAsBytes();
        }
        try {
            X509Certificate cert = CA.issue(request, "d-1", Instant.now());
            assertThat(DeviceCertificates.deviceId(cert)).isEqualTo("d-1");
        } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
