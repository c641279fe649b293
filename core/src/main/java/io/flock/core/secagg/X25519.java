package io.flock.core.secagg;

import io.flock.core.InvalidInputException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 with raw RFC 7748 encodings: 32-byte little-endian u for public keys, the 32-byte scalar for private. Keys come
 * from the JDK; the agreement is Bouncy Castle's ({@link #agree}).
 */
final class X25519 {
    static final int KEY_BYTES = 32;
    private X25519() {
    }

    static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
            g.initialize(NamedParameterSpec.X25519, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable", e);
        }
    }

    static byte[] publicBytes(PublicKey key) {
        byte[] be = ((XECPublicKey) key).getU().toByteArray();
        byte[] le = new byte[KEY_BYTES];
        for (int i = 0; i < Math.min(be.length, KEY_BYTES); i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    static byte[] privateBytes(PrivateKey key) {
        return ((XECPrivateKey) key).getScalar().orElseThrow(() -> new IllegalStateException("X25519 scalar hidden"));
    }

    /** @throws InvalidInputException when {@code raw} is not 32 bytes; {@code what} names it in the message */
    static PublicKey publicKey(byte[] raw, String what) {
        if (raw == null || raw.length != KEY_BYTES) {
            throw new InvalidInputException(what + " of " + (raw == null ? "null" : raw.length + " bytes")
                    + ", expected " + KEY_BYTES);
        }
        byte[] be = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            be[i] = raw[KEY_BYTES - 1 - i];
        }
        be[0] &= 0x7f;   // RFC 7748: the top bit of the last byte is ignored
        try {
            return KeyFactory.getInstance("XDH").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        } catch (GeneralSecurityException e) {
            throw new InvalidInputException(what + " is no X25519 public key: " + e.getMessage());
        }
    }

    static PrivateKey privateKey(byte[] scalar) {
        try {
            return KeyFactory.getInstance("XDH").generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable", e);
        }
    }

    /**
     * The shared secret, computed by Bouncy Castle's RFC 7748 code: the same function as the JDK's XDH KeyAgreement
     * (X25519Test checks they agree), at about a quarter of its time, and a device agrees two keys with each of its up to
     * 128 neighbours every secure round (the JDK's took 40-60 % of the share stage at 100 devices).
     *
     * @throws InvalidInputException when the peer key has small order (the shared secret would be zero)
     */
    static byte[] agree(PrivateKey mine, PublicKey peer, String what) {
        return agree(privateBytes(mine), publicBytes(peer), what);
    }

    /**
     * {@link #agree(PrivateKey, PublicKey, String)} on raw encodings (no JDK key objects on the hot path).
     *
     * @throws InvalidInputException when the peer key is not 32 bytes or has small order
     */
    static byte[] agree(byte[] scalar, byte[] peerPublic, String what) {
        if (peerPublic == null || peerPublic.length != KEY_BYTES) {
            throw new InvalidInputException(what + " of " + (peerPublic == null ? "null" : peerPublic.length + " bytes")
                    + ", expected " + KEY_BYTES);
        }
        byte[] u = peerPublic.clone();
        u[KEY_BYTES - 1] &= 0x7f; // RFC 7748: the top bit of the last byte is ignored
        byte[] secret = new byte[KEY_BYTES];
        if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(scalar, 0, u, 0, secret, 0)) {
            throw new InvalidInputException(what + " is unusable for X25519: a small-order point (the shared secret is zero)");
        }
        return secret;
    }

    /** The JDK's XDH agreement, kept as the reference {@link #agree} is checked against. */
    static byte[] agreeJdk(PrivateKey mine, PublicKey peer) throws GeneralSecurityException {
        KeyAgreement ka = KeyAgreement.getInstance("X25519");
        ka.init(mine);
        ka.doPhase(peer, true);
        return ka.generateSecret();
    }

    /** @return the raw public key of a raw private scalar */
    static byte[] publicOf(byte[] scalar) {
        byte[] out = new byte[KEY_BYTES];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(scalar, 0, out, 0);
        return out;
    }
}
