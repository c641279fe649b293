package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shamir secret sharing of 32-byte secrets over GF(p), p = 2^521 - 1 (a Mersenne prime, so one field element holds a
 * whole secret and no chunking is needed). A share is 70 bytes: x as a 4-byte big-endian int (participant index + 1)
 * then y as 66 bytes big-endian, y &lt; p. Any {@code threshold} shares with distinct x give the secret back by
 * Lagrange interpolation at 0; fewer give a value independent of it.
 */
final class Shamir {
    static final BigInteger P = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);
    static final int SECRET_BYTES = 32;
    static final int SHARE_BYTES = 4 + 66;

    private Shamir() {
    }

    /** One point of the polynomial. */
    record Share(int x, BigInteger y) {
        byte[] encode() {
            byte[] out = new byte[SHARE_BYTES];
            ByteBuffer.wrap(out).putInt(x);
            byte[] yb = y.toByteArray();   // at most 66 bytes plus a sign byte
            int n = Math.min(yb.length, 66);
            System.arraycopy(yb, yb.length - n, out, SHARE_BYTES - n, n);
            return out;
        }

        /** @throws InvalidInputException on a wrong length, x outside 1..participants or y outside the field */
        static Share decode(byte[] bytes, int participants) {
            if (bytes == null || bytes.length != SHARE_BYTES) {
                throw new InvalidInputException("share of " + (bytes == null ? "null" : bytes.length + " bytes")
                        + ", expected " + SHARE_BYTES);
            }
            int x = ByteBuffer.wrap(bytes).getInt();
            if (x < 1 || x > participants) {
                throw new InvalidInputException("share x=" + x + " outside 1.." + participants);
            }
            BigInteger y = new BigInteger(1, Arrays.copyOfRange(bytes, 4, SHARE_BYTES));
            if (y.compareTo(P) >= 0) {
                throw new InvalidInputException("share x=" + x + " has y outside the field");
            }
            return new Share(x, y);
        }
    }

    /** @return one encoded share for each x in {@code xs}, keyed by x, of a random polynomial of degree threshold-1 */
    static Map<Integer, byte[]> split(byte[] secret, int threshold, Collection<Integer> xs, SecureRandom random) {
        if (secret.length != SECRET_BYTES) {
            throw new InvalidInputException("secret of " + secret.length + " bytes, expected " + SECRET_BYTES);
        }
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int c = 1; c < threshold; c++) {
            BigInteger r;
            do {
                r = new BigInteger(521, random);
            } while (r.compareTo(P) >= 0);
            coefficients[c] = r;
        }
        Map<Integer, byte[]> shares = new LinkedHashMap<>();
        for (int x : xs) {
            BigInteger bx = BigInteger.valueOf(x);
            BigInteger y = BigInteger.ZERO;
            for (int c = threshold - 1; c >= 0; c--) {
                y = y.multiply(bx).add(coefficients[c]).mod(P);
            }
            shares.put(x, new Share(x, y).encode());
        }
        return shares;
    }

    /**
     * @return the secret from the first {@code threshold} of {@code shares}
     * @throws InvalidInputException with fewer than threshold shares, repeated x, or a result that is no 32-byte secret
     */
    static byte[] combine(List<Share> shares, int threshold) {
        if (shares.size() < threshold) {
            throw new InvalidInputException(shares.size() + " shares, threshold " + threshold);
        }
        BigInteger value = interpolateAtZero(shares.subList(0, threshold));
        if (value.bitLength() > SECRET_BYTES * 8) {
            throw new InvalidInputException("shares are inconsistent: the interpolated value has "
                    + value.bitLength() + " bits");
        }
        byte[] raw = value.toByteArray();
        byte[] out = new byte[SECRET_BYTES];
        int n = Math.min(raw.length, SECRET_BYTES);
        System.arraycopy(raw, raw.length - n, out, SECRET_BYTES - n, n);
        return out;
    }

    /** @return the polynomial through all of {@code shares}, evaluated at 0 */
    static BigInteger interpolateAtZero(List<Share> shares) {
        Set<Integer> seen = new HashSet<>();
        List<BigInteger> xs = new ArrayList<>();
        for (Share s : shares) {
            if (!seen.add(s.x())) {
                throw new InvalidInputException("two shares with x=" + s.x());
            }
            xs.add(BigInteger.valueOf(s.x()));
        }
        BigInteger sum = BigInteger.ZERO;
        for (int i = 0; i < shares.size(); i++) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (int j = 0; j < shares.size(); j++) {
                if (j != i) {
                    num = num.multiply(xs.get(j)).mod(P);
                    den = den.multiply(xs.get(j).subtract(xs.get(i))).mod(P);
                }
            }
            sum = sum.add(shares.get(i).y().multiply(num).mod(P).multiply(den.modInverse(P))).mod(P);
        }
        return sum;
    }
}
