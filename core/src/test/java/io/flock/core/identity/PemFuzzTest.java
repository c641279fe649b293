package io.flock.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fuzzes {@link Pem#certificate}, which reads the CA certificate an agent is given ({@code ca-file}) and keeps on disk:
 * any bytes, PEM-wrapped or not, give a certificate or an {@link InvalidInputException}, nothing else.
 */
class PemFuzzTest {
    @FuzzTest(maxDuration = "3s")
    void certificate_anyBytes_parsedOrRefused(FuzzedDataProvider data) throws Exception {
        boolean wrap = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        byte[] bytes = wrap ? ("-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(body)
                + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII) : body;
        try {
            assertThat(Pem.certificate(bytes).getEncoded()).isNotEmpty();
        } catch (InvalidInputException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
