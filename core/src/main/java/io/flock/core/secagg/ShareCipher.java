package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for the stage-2 shares. The key, HKDF(ECDH(c_sk, c_pk), share-key, roundId), is the same in both
 * directions of a pair, so the 12-byte nonce is (from, to, 0): one message per direction per round, never reused.
 * Associated data binds roundId, from and to. Plaintext: the share of b then the share of s_sk, 70 bytes each.
 */
final class ShareCipher {
    static final int PLAINTEXT_BYTES = 2 * Shamir.SHARE_BYTES;
    static final int CIPHERTEXT_BYTES = PLAINTEXT_BYTES + 16;
    private static final byte[] AD_LABEL = "flock.secagg.v1.share".getBytes(StandardCharsets.UTF_8);

    private ShareCipher() {
    }

    static byte[] seal(byte[] key, byte[] roundId, int from, int to, byte[] plaintext) {
        try {
            return cipher(Cipher.ENCRYPT_MODE, key, roundId, from, to).doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /** @throws InvalidInputException on a wrong length or a failed tag (wrong key, round, sender, receiver or bytes) */
    static byte[] open(byte[] key, byte[] roundId, int from, int to, byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length != CIPHERTEXT_BYTES) {
            throw new InvalidInputException("share ciphertext from " + from + " to " + to + " of "
                    + (ciphertext == null ? "null" : ciphertext.length + " bytes") + ", expected " + CIPHERTEXT_BYTES);
        }
        try {
            return cipher(Cipher.DECRYPT_MODE, key, roundId, from, to).doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new InvalidInputException("share ciphertext from " + from + " to " + to + " fails authentication");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    private static Cipher cipher(int mode, byte[] key, byte[] roundId, int from, int to) throws GeneralSecurityException {
        byte[] nonce = ByteBuffer.allocate(12).putInt(from).putInt(to).array();
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(ByteBuffer.allocate(AD_LABEL.length + 1 + 4 + roundId.length + 8)
                .put(AD_LABEL).put((byte) 0).putInt(roundId.length).put(roundId).putInt(from).putInt(to).array());
        return c;
    }
}
