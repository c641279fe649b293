package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShamirTest {
    private static final byte[] SECRET = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            SECRET[i] = (byte) (0xA0 + i);
        }
    }

    private static java.security.SecureRandom seeded(long seed) {
        try {
            java.security.SecureRandom r = java.security.SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Shamir.Share> decode(Map<Integer, byte[]> shares, int... xs) {
        List<Shamir.Share> out = new ArrayList<>();
        for (int x : xs) {
            out.add(Shamir.Share.decode(shares.get(x), 10));
        }
        return out;
    }

    @Test
    void combine_anyThresholdShares_giveTheSecret() {
        Map<Integer, byte[]> shares = Shamir.split(SECRET, 3, List.of(1, 2, 4, 7, 9), seeded(1));

        assertThat(Shamir.combine(decode(shares, 1, 2, 4), 3)).isEqualTo(SECRET);
        assertThat(Shamir.combine(decode(shares, 9, 7, 2), 3)).isEqualTo(SECRET);
        assertThat(Shamir.combine(decode(shares, 4, 9, 1, 7), 3)).isEqualTo(SECRET);
    }

    @Test
    void interpolateAtZero_belowThreshold_isNotTheSecret() {
        Map<Integer, byte[]> shares = Shamir.split(SECRET, 3, List.of(1, 2, 3), seeded(2));

        BigInteger fromTwo = Shamir.interpolateAtZero(decode(shares, 1, 2));
        BigInteger fromThree = Shamir.interpolateAtZero(decode(shares, 1, 2, 3));

        assertThat(fromThree).isEqualTo(new BigInteger(1, SECRET));
        assertThat(fromTwo).isNotEqualTo(new BigInteger(1, SECRET));
        assertThatThrownBy(() -> Shamir.combine(decode(shares, 1, 2), 3)).hasMessageContaining("2 shares, threshold 3");
    }

    @Test
    void split_thresholdOne_everyShareIsTheSecret() {
        Map<Integer, byte[]> shares = Shamir.split(SECRET, 1, List.of(5, 6), seeded(3));

        assertThat(decode(shares, 5).get(0).y()).isEqualTo(new BigInteger(1, SECRET));
        assertThat(shares.get(5)).hasSize(Shamir.SHARE_BYTES);
    }

    @Test
    void decode_badBytes_refusedNamingTheValue() {
        byte[] share = Shamir.split(SECRET, 2, List.of(3), seeded(4)).get(3);
        byte[] outOfRange = share.clone();
        outOfRange[3] = 11;   // x = 11 with 10 participants
        byte[] overP = share.clone();
        java.util.Arrays.fill(overP, 4, overP.length, (byte) 0xFF);   // y = 2^528 - 1 > p

        assertThatThrownBy(() -> Shamir.Share.decode(new byte[69], 10)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("69 bytes, expected 70");
        assertThatThrownBy(() -> Shamir.Share.decode(outOfRange, 10)).hasMessageContaining("x=11 outside 1..10");
        assertThatThrownBy(() -> Shamir.Share.decode(overP, 10)).hasMessageContaining("outside the field");
    }

    @Test
    void combine_repeatedX_refused() {
        Map<Integer, byte[]> shares = Shamir.split(SECRET, 2, List.of(1, 2), seeded(5));

        assertThatThrownBy(() -> Shamir.combine(decode(shares, 1, 1), 2)).hasMessageContaining("two shares with x=1");
    }
}
