package io.flock.core.secagg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Stage 2: what {@code from} sends {@code to} through the server: AES-256-GCM under
 * HKDF(ECDH(c_sk_from, c_pk_to)), associated data binding roundId, from and to; inside, from's Shamir shares of its
 * self-mask seed b and of its masking private key s_sk, for x = to + 1. 156 bytes. Copied in and out.
 *
 * @param from       the sender's index
 * @param to         the receiver's index
 * @param ciphertext opaque to the server
 */
public record EncryptedShare(int from, int to, byte[] ciphertext) {
    /** Copies the ciphertext; rejects null. */
    public EncryptedShare {
        ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
    }

    /** @return a copy of the ciphertext */
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncryptedShare s && from == s.from && to == s.to && Arrays.equals(ciphertext, s.ciphertext);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * from + to) + Arrays.hashCode(ciphertext);
    }

    @Override
    public String toString() {
        return "EncryptedShare[" + from + "->" + to + ", " + ciphertext.length + " bytes]";
    }
}
