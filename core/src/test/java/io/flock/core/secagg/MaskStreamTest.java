package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class MaskStreamTest {
    private static byte[] key(int b) {
        byte[] k = new byte[32];
        k[0] = (byte) b;
        return k;
    }

    @Test
    void apply_matchesAesCtrOfZerosReadLittleEndian() throws Exception {
        int[] v = new int[5000];   // spans a 16 KiB block boundary: 4096 words each
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(7), "AES"), new IvParameterSpec(new byte[16]));
        ByteBuffer expected = ByteBuffer.wrap(c.doFinal(new byte[4 * 5000])).order(ByteOrder.LITTLE_ENDIAN);

        MaskStream.apply(key(7), v, 1);

        for (int i = 0; i < v.length; i++) {
            assertThat(v[i]).as("word %d", i).isEqualTo(expected.getInt(4 * i));
        }
    }

    @Test
    void apply_addThenSubtract_restoresTheVector() {
        int[] v = {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, 0};

        MaskStream.apply(key(1), v, 1);
        int[] masked = v.clone();
        MaskStream.apply(key(1), v, -1);

        assertThat(masked).isNotEqualTo(new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, 0});
        assertThat(v).containsExactly(1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, 0);
    }

    @Test
    void apply_otherKey_otherStream() {
        int[] a = new int[8];
        int[] b = new int[8];

        MaskStream.apply(key(1), a, 1);
        MaskStream.apply(key(2), b, 1);

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void apply_throughput_printedForInformation() {
        int[] v = new int[1 << 20];
        for (int r = 0; r < 40; r++) {   // warm-up until C2 compiles the CTR intrinsic; even count: back to zeros
            MaskStream.apply(key(3), v, r % 2 == 0 ? 1 : -1);
        }
        long start = System.nanoTime();
        for (int r = 0; r < 16; r++) {
            MaskStream.apply(key(3), v, r % 2 == 0 ? 1 : -1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("MaskStream: %.2f GB/s of mask (16 x 4 MiB)%n", 16 * 4.0 * v.length / 1e9 / seconds);
        assertThat(v).containsOnly(0);
    }
}
