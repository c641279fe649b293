package io.flock.coordinator.security;

import io.flock.core.artifact.KeyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A bearer credential for callers that hold no device certificate: the operator's admin token (Admin gRPC service,
 * admin REST calls) and the apps' token (REST inference). 256 random bits, kept in an owner-only file (a wider file is
 * refused at start), compared in constant time, never printed: {@link #toString()} is redacted. Immutable.
 */
public final class AccessToken {
    /** The HTTP header and gRPC metadata key that carries it, as {@code Bearer <token>}. */
    public static final String HEADER = "authorization";
    private static final String BEARER = "Bearer ";
    private final byte[] value;

    private AccessToken(String value) {
        this.value = value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return the token in {@code file}, or a new random one written there owner-only
     * @throws io.flock.core.config.ConfigException when the file is open to group or others
     */
    public static AccessToken loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            KeyFiles.requireOwnerOnly(file);
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (text.length() < 16) {
                throw new IOException("token file " + file + " holds fewer than 16 characters: delete it to make a new token");
            }
            return new AccessToken(text);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        KeyFiles.createDirectory(file.toAbsolutePath().getParent());
        KeyFiles.writePrivate(file, text + "\n");
        return new AccessToken(text);
    }

    /** @return a token holding {@code value} (a client that read it from its file) */
    public static AccessToken of(String value) {
        return new AccessToken(value);
    }

    /** @return whether {@code presented} is this token, compared in constant time; false for null */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** @return whether an {@code authorization} value is {@code Bearer <this token>}; false for null or another scheme */
    public boolean matchesBearer(String authorization) {
        return authorization != null && authorization.startsWith(BEARER) && matches(authorization.substring(BEARER.length()).trim());
    }

    /** @return the {@code authorization} value a client sends: {@code Bearer <token>} */
    public String bearer() {
        return BEARER + new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AccessToken[(redacted)]";
    }
}
