package io.flock.core.secagg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/** HKDF-SHA256 (Bouncy Castle) to 32-byte keys; info = label, 0x00, roundId, so every key is bound to its round. */
final class Kdf {
    static final String SHARE_KEY = "flock.secagg.v1.share-key";
    static final String PAIRWISE_MASK = "flock.secagg.v1.pairwise-mask";
    static final String SELF_MASK = "flock.secagg.v1.self-mask";

    private Kdf() {
    }

    static byte[] derive(byte[] secret, String label, byte[] roundId) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(secret, null, info(label, roundId)));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, key.length);
        return key;
    }

    static byte[] info(String label, byte[] roundId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(label.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(roundId);
        return out.toByteArray();
    }
}
