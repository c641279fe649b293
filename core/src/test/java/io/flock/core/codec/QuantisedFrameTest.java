package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pins the quantised frames (the bytes before the JDK's deflate stage) that each quantising codec
 * writes for one fixed set of tensors: a change to the scale or rounding code that moves one byte
 * fails here. The hashes were taken from the codecs as they were before their per-channel loops
 * were shared.
 */
class QuantisedFrameTest {
    private static final Map<String, String> PINNED = new LinkedHashMap<>();

    static {
        PINNED.put("int8", "73a73816c4f0bdf19953e44b12ad6e56b35fd821f8081c273b5708d2db0952bd");
        PINNED.put("int8-per-tensor", "b277386e0f6c80de15177d2d4786692f6592a275198b716965415bc775923412");
        PINNED.put("int2", "6119d71d9d70b490e083d2249e31ba14b3f945e9ccf30768dc9e0b62f30a5d65");
        PINNED.put("int2-stochastic", "bdda070c402828bccaa4105642bad533c4b4a4a12386e2dedd08f1352c55a8b6");
        PINNED.put("int3", "e9fc2a73f9e2919b615b8249fcbfa18fa806b2ffbdb4c7c0c3f241715af1c81c");
        PINNED.put("int3-stochastic", "65aa2207316289ea22f7f2d0c954d488e2caf67e5c823981657fecd4396ed9a5");
        PINNED.put("int4", "2920884f219f832d7cbd9edd1a478c2b98fa4fb80850de4dd23723e430d55bb3");
        PINNED.put("int4-stochastic", "7d749f168fa0b6ea595378f6afe519162da0bdc276a1b065982bccf3568e31cd");
        PINNED.put("int5", "f61ec058c972561b37b06f3a0a2185c5134781581e690b7600ca0013f143bf4c");
        PINNED.put("int5-stochastic", "b6234386d9341a136a3f4dadf8c3bb88a24bd887e7a0e27299a879cbc97468e4");
        PINNED.put("int6", "15a7c2ee9202bef9aeb52892046bc150cd4bcb8670736d311e2fd9382c64adfe");
        PINNED.put("int6-stochastic", "62a71b98caa65738b662aa76b97892b8c1458212b2b3ea847ad06ebc28374cf1");
        PINNED.put("int7", "1c4be931f6bc1f9c14349e2265f327af179e21e44c14b5b74a6409f58367c83d");
        PINNED.put("int7-stochastic", "4f5bb038e710ac00f670287e578c48d366763bf135a90b11c56f1bda88997746");
    }

    private static ModelParameters fixedParameters() {
        Random r = new Random(20260101L);
        float[] dense = new float[3 * 7];
        for (int j = 0; j < 14; j++) { // row 2 stays zero: the all-zero channel's scale of 1
            dense[j] = (r.nextFloat() * 2f - 1f) * (j < 7 ? 0.3f : 2.5f);
        }
        float[] conv = new float[4 * 2 * 3 * 3];
        for (int j = 0; j < conv.length; j++) {
            conv[j] = (float) r.nextGaussian() * 0.05f;
        }
        return new ModelParameters(List.of(
                new Tensor("dense.w", new int[] {3, 7}, dense),
                new Tensor("dense.b", new int[] {3}, new float[] {0.125f, -3f, 0f}),
                new Tensor("conv.w", new int[] {4, 2, 3, 3}, conv)));
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void encode_fixedParameters_framesMatchPinnedHashes() throws Exception {
        ModelParameters p = fixedParameters();
        Map<String, String> actual = new LinkedHashMap<>();

        for (String name : PINNED.keySet()) {
            byte[] frame = Entropy.inflate(Codecs.byName(name).encode(p), ParameterFrame.maxFrameBytes(null)).readAllBytes();
            actual.put(name, sha256(frame));
        }

        assertThat(actual).isEqualTo(PINNED);
    }
}
