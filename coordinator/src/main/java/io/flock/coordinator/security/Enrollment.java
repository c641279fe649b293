package io.flock.coordinator.security;

import io.flock.coordinator.fleet.DeviceRegistry;
import io.flock.coordinator.fleet.UnknownDeviceException;
import io.flock.coordinator.store.EnrollmentRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.InvalidInputException;
import io.flock.core.artifact.Digests;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How devices get and keep an identity. The operator makes enrollment tokens (random, shown once, stored as SHA-256,
 * each good for a number of devices until it expires). A device presents one with a certification request for a key it
 * made, and gets a short-lived certificate from the {@link CertificateAuthority}; a gateway presents one for a device
 * behind it, which then gets no certificate: the gateway acts for it. An enrolled device renews over mTLS before its
 * certificate expires. The token use, the device and its certificate's fingerprint are stored in one transaction, so a
 * refused enrollment changes nothing. Thread-safe.
 */
public final class Enrollment {
    /** Most devices one token may enroll. */
    public static final int MAX_USES = 1_000_000;
    /** Longest token lifetime. */
    public static final Duration MAX_TTL = Duration.ofDays(30);
    private static final Logger log = LoggerFactory.getLogger(Enrollment.class);
    private final CertificateAuthority authority;
    private final FlockStore store;
    private final DeviceRegistry devices;
    private final DeviceTrust trust;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** What an enrolled device receives. */
    public record Issued(X509Certificate certificate, X509Certificate authority, Instant notAfter) {
    }

    /** A new token, to show the operator once. */
    public record Token(String value, int uses, Instant expires) {
        @Override
        public String toString() {
            return "Token[(redacted), uses=" + uses + ", expires=" + expires + "]";
        }
    }

    /**
     * @param authority signs device certificates
     * @param store     tokens, devices and certificates
     * @param devices   learns of each enrolled device
     * @param trust     forgets what it cached of a device that enrolls anew
     * @param clock     now
     */
    public Enrollment(CertificateAuthority authority, FlockStore store, DeviceRegistry devices, DeviceTrust trust, Clock clock) {
        this.authority = authority;
        this.store = store;
        this.devices = devices;
        this.trust = trust;
        this.clock = clock;
    }

    /**
     * @return a new token for {@code uses} enrollments within {@code ttl}
     * @throws InvalidInputException for uses outside 1..{@link #MAX_USES} or a ttl outside 1 s..{@link #MAX_TTL}
     */
    public Token createToken(int uses, Duration ttl) {
        if (uses < 1 || uses > MAX_USES) {
            throw new InvalidInputException("uses must be 1.." + MAX_USES + ", got " + uses);
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException("ttl must be 1 s .. 30 days, got " + ttl.toSeconds() + " s");
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String value = "fet_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        store.saveEnrollmentToken(hash(value), uses, expires.toEpochMilli(), now.toEpochMilli());
        log.info("enrollment token created uses={} expires={}", uses, expires);
        return new Token(value, uses, expires);
    }

    /**
     * Enrolls a device that connects itself.
     *
     * @param request DER PKCS#10 for CN=deviceId, signed by the key it names
     * @throws InvalidInputException      for a bad device id or request (nothing stored, the token not spent)
     * @throws UnknownDeviceException     for a token that is unknown, spent or expired
     * @throws AlreadyEnrolledException   for an enrolled device id
     */
    public Issued enroll(String deviceId, String hardware, String token, byte[] request) {
        Topics.segment(deviceId);
        Instant now = clock.instant();
        requireUsable(deviceId, token, now); // before the CA does any work for a caller without a certificate
        X509Certificate cert = authority.issue(request, deviceId, now);
        store(new EnrollmentRow(deviceId, hardware, null, hash(token), TlsCredentials.fingerprint(cert), cert.getNotAfter().getTime(),
                now.toEpochMilli()));
        log.info("device={} enrolled, certificate valid until {}", deviceId, cert.getNotAfter().toInstant());
        return new Issued(cert, authority.certificate(), cert.getNotAfter().toInstant());
    }

    /** Enrolls a device behind an authenticated gateway, which acts for it; same errors as {@link #enroll}. */
    public void enrollBehind(String gateway, String deviceId, String hardware, String token) {
        Topics.segment(deviceId);
        if (deviceId.equals(gateway)) {
            throw new InvalidInputException("a gateway cannot enroll itself behind itself");
        }
        store(new EnrollmentRow(deviceId, hardware, gateway, hash(token), null, 0, clock.millis()));
        log.info("device={} enrolled behind gateway={}", deviceId, gateway);
    }

    private void requireUsable(String deviceId, String token, Instant now) {
        if (!store.enrollmentTokenUsable(hash(token), now.toEpochMilli())) {
            throw badToken(deviceId);
        }
    }

    private static UnknownDeviceException badToken(String deviceId) {
        return new UnknownDeviceException("device " + deviceId + " presented an enrollment token that is unknown, spent or expired");
    }

    private void store(EnrollmentRow row) {
        switch (store.enroll(row)) {
            case ENROLLED -> {
                trust.forget(row.deviceId());
                devices.enrolled(row.deviceId());
            }
            case BAD_TOKEN -> throw badToken(row.deviceId());
            case ALREADY_ENROLLED -> throw new AlreadyEnrolledException("device " + row.deviceId() + " is enrolled already; an operator"
                    + " revokes it (bin/flock devices revoke) before it can enroll anew");
        }
    }

    /**
     * @return a fresh certificate for an authenticated device, beside its current one until that expires
     * @throws InvalidInputException for a request that does not verify or names another device
     */
    public Issued renew(String deviceId, byte[] request) {
        Instant now = clock.instant();
        X509Certificate cert = authority.issue(request, deviceId, now);
        store.addCertificate(deviceId, TlsCredentials.fingerprint(cert), cert.getNotAfter().getTime(), now.toEpochMilli());
        log.info("device={} renewed its certificate, valid until {}", deviceId, cert.getNotAfter().toInstant());
        return new Issued(cert, authority.certificate(), cert.getNotAfter().toInstant());
    }

    /** @return the SHA-256 (hex) a token is stored and looked up by */
    static String hash(String token) {
        return Digests.sha256Hex(token.getBytes(StandardCharsets.UTF_8));
    }
}
