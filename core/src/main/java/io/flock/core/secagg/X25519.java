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

/** JDK X25519 with raw RFC 7748 encodings: 32-byte little-endian u for public keys, the 32-byte scalar for private. */
final class X25519 {
    static final int KEY_BYTES = 32;
    private static final byte[] BASE_POINT = new byte[KEY_BYTES];

    static {
        BASE_POINT[0] = 9;
    }

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

    /** @throws InvalidInputException when the peer key has small order (the shared secret would be zero) */
    static byte[] agree(PrivateKey mine, PublicKey peer, String what) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(mine);
            ka.doPhase(peer, true);
            return ka.generateSecret();
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new InvalidInputException(what + " is unusable for X25519: " + e.getMessage());
        }
    }

    /** @return the raw public key of a raw private scalar */
    static byte[] publicOf(byte[] scalar) {
        return agree(privateKey(scalar), publicKey(BASE_POINT, "base point"), "base point");
    }
}
