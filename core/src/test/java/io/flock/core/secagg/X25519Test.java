package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.security.KeyPair;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class X25519Test {
    @Test
    void agree_randomKeys_equalsTheJdkAndIsSymmetric() throws Exception {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 50; i++) {
            KeyPair a = X25519.generate(random);
            KeyPair b = X25519.generate(random);

            byte[] ab = X25519.agree(a.getPrivate(), b.getPublic(), "b");

            assertThat(ab).isEqualTo(X25519.agreeJdk(a.getPrivate(), b.getPublic()));
            assertThat(ab).isEqualTo(X25519.agree(b.getPrivate(), a.getPublic(), "a"));
        }
    }

    @Test
    void agree_rfc7748Vector_givesThePublishedSharedSecret() {
        // RFC 7748 section 6.1: Alice's private key and Bob's public key give K
        byte[] alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPublic = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

        byte[] k = X25519.agree(X25519.privateKey(alice), X25519.publicKey(bobPublic, "bob"), "bob");

        assertThat(k).isEqualTo(hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
    }

    @Test
    void agree_smallOrderPoint_refused() {
        KeyPair a = X25519.generate(new SecureRandom());
        assertThatThrownBy(() -> X25519.agree(a.getPrivate(), X25519.publicKey(new byte[32], "zero"), "zero"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("small-order");
    }

    private static byte[] hex(String h) {
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
