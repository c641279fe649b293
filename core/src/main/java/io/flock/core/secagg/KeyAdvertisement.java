package io.flock.core.secagg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Stage 1: a participant's two fresh X25519 public keys, raw 32 bytes (RFC 7748 little-endian u). Arrays are
 * copied in and out; equality compares contents.
 *
 * @param index         the participant, 0..n-1
 * @param encryptionKey c_pk, for the share encryption keys
 * @param maskingKey    s_pk, for the pairwise masks
 */
public record KeyAdvertisement(int index, byte[] encryptionKey, byte[] maskingKey) {
    /** Copies the keys; rejects null (lengths are checked where the keys are used). */
    public KeyAdvertisement {
        encryptionKey = Objects.requireNonNull(encryptionKey, "encryptionKey").clone();
        maskingKey = Objects.requireNonNull(maskingKey, "maskingKey").clone();
    }

    /** @return a copy of c_pk */
    @Override
    public byte[] encryptionKey() {
        return encryptionKey.clone();
    }

    /** @return a copy of s_pk */
    @Override
    public byte[] maskingKey() {
        return maskingKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyAdvertisement a && index == a.index && Arrays.equals(encryptionKey, a.encryptionKey)
                && Arrays.equals(maskingKey, a.maskingKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + Arrays.hashCode(encryptionKey)) + Arrays.hashCode(maskingKey);
    }

    @Override
    public String toString() {
        return "KeyAdvertisement[index=" + index + "]";
    }
}
