package io.flock.coordinator.security;

import static io.flock.coordinator.security.SecureCoordinator.devices;
import static io.flock.coordinator.security.SecureCoordinator.enrollment;
import static io.flock.coordinator.security.SecureCoordinator.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import io.flock.coordinator.security.SecureCoordinator.Device;
import io.flock.coordinator.store.DeviceIdentityRow;
import io.flock.coordinator.store.FlockStore;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.TlsCredentials;
import io.flock.proto.v1.DeviceInfo;
import io.flock.proto.v1.EnrollResponse;
import io.flock.proto.v1.RegisterRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on enrollment (issue 24) over a real coordinator's TLS port: Sybil registrations, spent, expired, unknown and
 * raced tokens, requests naming another device, asking for more than a device certificate or not parsing, bad device
 * ids, and a gateway claiming an enrolled device. A refused enrollment stores nothing and leaves its token unspent
 * (proved by enrolling with it afterwards). One coordinator serves every test; each test uses its own device ids.
 */
@Timeout(120)
class EnrollmentIT {
    private static final String MODEL = "enroll-mlp";
    private static final Duration TTL = Duration.ofMinutes(10);
    @TempDir
    static Path dir;
    private static SecureCoordinator coordinator;
    private static FlockStore store;

    @BeforeAll
    static void start() throws Exception {
        coordinator = SecureCoordinator.start(dir.resolve("coordinator"), MODEL, Map.of());
        store = coordinator.server().store();
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    void registerAndEnroll_fiftySybilsWithoutCertificateOrToken_unauthenticatedAndNoneStored() {
        ManagedChannel anonymous = coordinator.anonymous();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String id = "sybil-" + i;
            ids.add(id);

            Status register = refusal(() -> devices(anonymous).register(RegisterRequest.newBuilder().setDevice(DeviceInfo.newBuilder()
                    .setDeviceId(id).setHardware("sybil")).setEnrollmentToken("guess-" + id).build()));
            Status enroll = refusal(() -> devices(anonymous).enroll(enrollment(id, "fet_guess-" + id, DeviceKeys.generate()
                    .certificationRequest(id))));

            assertThat(register.getCode()).as(id).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(enroll.getCode()).as(id).isEqualTo(Status.Code.UNAUTHENTICATED);
        }

        assertThat(ids).noneMatch(store::deviceExists);
        assertThat(ids).allMatch(id -> store.deviceIdentity(id).isEmpty());
    }

    @Test
    void enroll_goodToken_certificateNamesTheDeviceAndChainsToTheCa() throws Exception {
        DeviceKeys keys = DeviceKeys.generate();

        EnrollResponse r = devices(coordinator.anonymous()).enroll(enrollment("enr-good", coordinator.token(1, TTL),
                keys.certificationRequest("enr-good")));

        X509Certificate cert = TlsCredentials.certificate(r.getCertificate().toByteArray());
        X509Certificate ca = TlsCredentials.certificate(r.getAuthority().toByteArray());
        assertThat(ca).isEqualTo(coordinator.authority());
        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        pkix.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), pkix);
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(6, "urn:flock:device:enr-good"));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=enr-good");
        assertThat(cert.getPublicKey()).isEqualTo(keys.publicKey());
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(r.getNotAfterUnixMs()).isEqualTo(cert.getNotAfter().getTime());
        assertThat(r.getModelsList()).containsExactly(MODEL);
        assertThat(store.deviceIdentity("enr-good")).contains(new DeviceIdentityRow("enr-good", true, null, false));
        Device d = new Device("enr-good", keys, coordinator.credentials(keys, cert));
        assertThat(coordinator.beat(d).getCurrentVersion()).isEqualTo(1);
    }

    @Test
    void enroll_singleUseTokenUsedTwice_secondUnauthenticatedAndNothingStored() {
        String token = coordinator.token(1, TTL);
        coordinator.enroll("enr-once-1", token);

        Status second = refusal(() -> coordinator.enroll("enr-once-2", token));

        assertThat(second.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(second.getDescription()).contains("enr-once-2", "unknown, spent or expired");
        assertThat(store.deviceIdentity("enr-once-2")).isEmpty();
    }

    @Test
    void enroll_expiredToken_unauthenticatedAndNothingStored() throws Exception {
        Enrollment.Token token = coordinator.security().enrollment().createToken(5, Duration.ofSeconds(1));
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), token.expires()).toMillis()) + 50);

        Status status = refusal(() -> coordinator.enroll("enr-late", token.value()));

        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(store.deviceIdentity("enr-late")).isEmpty();
    }

    @Test
    void enroll_unknownEmptyOrStoredHashOfAToken_unauthenticatedAndTheTokenNotSpent() {
        String token = coordinator.token(1, TTL);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        Map<String, String> presented = new LinkedHashMap<>();
        presented.put("unknown", "fet_" + java.util.HexFormat.of().formatHex(random));
        presented.put("empty", "");
        presented.put("the SHA-256 the store keeps", Enrollment.hash(token));
        presented.put("upper case", token.toUpperCase(java.util.Locale.ROOT));

        presented.forEach((what, value) -> assertThat(refusal(() -> coordinator.enroll("enr-unknown", value)).getCode()).as(what)
                .isEqualTo(Status.Code.UNAUTHENTICATED));

        assertThat(store.deviceIdentity("enr-unknown")).isEmpty();
        assertUnspent(token, "enr-unknown");
    }

    @Test
    void enroll_requestNamingAnotherId_invalidArgumentAndTokenNotSpent() {
        String token = coordinator.token(1, TTL);

        Status status = refusal(() -> devices(coordinator.anonymous()).enroll(enrollment("enr-claim", token, DeviceKeys.generate()
                .certificationRequest("enr-victim"))));

        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("CN=enr-victim", "CN=enr-claim");
        assertThat(store.deviceIdentity("enr-victim")).isEmpty();
        assertThat(store.deviceIdentity("enr-claim")).isEmpty();
        assertUnspent(token, "enr-claim");
    }

    @Test
    void enroll_enrolledIdAgain_alreadyExists_tokenNotSpent_andTheFirstCertificateStillWorks() {
        Device first = coordinator.enroll("enr-twice");
        String token = coordinator.token(1, TTL);

        Status again = refusal(() -> coordinator.enroll(first.id(), token));

        assertThat(again.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(again.getDescription()).contains("enr-twice", "revoke");
        assertThat(coordinator.beat(first).getCurrentVersion()).isEqualTo(1);
        assertUnspent(token, "enr-twice-other");
    }

    @Test
    void enroll_malformedRequest_invalidArgumentNothingStoredAndTokenNotSpent() throws Exception {
        String id = "enr-malformed";
        String token = coordinator.token(1, TTL);
        byte[] good = DeviceKeys.generate().certificationRequest(id);
        byte[] tampered = good.clone();
        tampered[tampered.length - 5] ^= 0x40; // inside the signature
        byte[] oversized = new byte[CertificateAuthority.MAX_REQUEST_BYTES + 1];
        new SecureRandom().nextBytes(oversized);
        DeviceKeys keys = DeviceKeys.generate();
        Map<String, byte[]> requests = new LinkedHashMap<>();
        requests.put("garbage", "not a certification request".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        requests.put("none", new byte[0]);
        requests.put("oversized", oversized);
        requests.put("a broken signature", tampered);
        requests.put("more in the subject", request(new X500Name("CN=" + id + ",O=Flock"), keys, null));
        requests.put("a certificate, not a request", coordinator.authority().getEncoded());

        requests.forEach((what, request) -> assertThat(refusal(() -> devices(coordinator.anonymous()).enroll(enrollment(id, token, request)))
                .getCode()).as(what).isEqualTo(Status.Code.INVALID_ARGUMENT));

        assertThat(store.deviceIdentity(id)).isEmpty();
        assertUnspent(token, id);
    }

    @Test
    void enroll_badDeviceId_invalidArgumentAndTokenNotSpent() {
        String token = coordinator.token(1, TTL);
        byte[] request = DeviceKeys.generate().certificationRequest("enr-ok");

        for (String id : List.of("", "a/b", "dev+", "#", "a b", "flock:coordinator", "x".repeat(129), "caf\u00e9")) {
            Status status = refusal(() -> devices(coordinator.anonymous()).enroll(enrollment(id, token, request)));

            assertThat(status.getCode()).as("'%s'", id).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(store.deviceIdentity(id)).as("'%s'", id).isEmpty();
        }
        assertUnspent(token, "enr-ok");
    }

    @Test
    void enroll_requestAskingForMoreNamesOrCaRights_certificateNamesOnlyTheDeviceAndIsNoCa() throws Exception {
        DeviceKeys keys = DeviceKeys.generate();
        ExtensionsGenerator asked = new ExtensionsGenerator();
        asked.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, DeviceCertificates.uri("enr-victim")),
                new GeneralName(GeneralName.uniformResourceIdentifier, DeviceCertificates.COORDINATOR_URI),
                new GeneralName(GeneralName.dNSName, "localhost")}));
        asked.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        asked.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));

        EnrollResponse r = devices(coordinator.anonymous()).enroll(enrollment("enr-greedy", coordinator.token(1, TTL),
                request(new X500Name("CN=enr-greedy"), keys, asked)));

        X509Certificate cert = TlsCredentials.certificate(r.getCertificate().toByteArray());
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(6, "urn:flock:device:enr-greedy"));
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(DeviceCertificates.isCoordinator(cert)).isFalse();
        assertThat(store.deviceIdentity("enr-victim")).isEmpty();
    }

    @Test
    void enroll_twoUseTokenRacedByEightDevices_exactlyTwoEnrolled() throws Exception {
        String token = coordinator.token(2, TTL);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Status.Code>> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                String id = "enr-race-" + i;
                ManagedChannel channel = coordinator.anonymous();
                byte[] request = DeviceKeys.generate().certificationRequest(id);
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        devices(channel).enroll(enrollment(id, token, request));
                        return Status.Code.OK;
                    } catch (io.grpc.StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            go.countDown();
            List<Status.Code> codes = new ArrayList<>();
            for (Future<Status.Code> f : outcomes) {
                codes.add(f.get(30, TimeUnit.SECONDS));
            }

            assertThat(codes).filteredOn(c -> c == Status.Code.OK).hasSize(2);
            assertThat(codes).filteredOn(c -> c != Status.Code.OK).hasSize(6).containsOnly(Status.Code.UNAUTHENTICATED);
            assertThat(java.util.stream.IntStream.range(0, 8).filter(i -> store.deviceIdentity("enr-race-" + i).isPresent())).hasSize(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void enroll_gatewayNamesAnEnrolledDevice_alreadyExistsAndItMayNotActForIt() {
        Device gateway = coordinator.enroll("gw-hijacker");
        Device victim = coordinator.enroll("gw-victim");
        String token = coordinator.token(1, TTL);
        ManagedChannel channel = coordinator.channel(gateway);

        Status claim = refusal(() -> devices(channel).enroll(enrollment(victim.id(), token, null)));
        Status act = refusal(() -> devices(channel).sendHeartbeat(coordinator.heartbeat(victim.id())));

        assertThat(claim.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(act.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(store.deviceIdentity(victim.id())).contains(new DeviceIdentityRow(victim.id(), true, null, false));
        assertThat(store.runningVersion(victim.id())).isZero();
        assertUnspent(token, "gw-victim-2");
    }

    @Test
    void enroll_gatewaySendsARequestOrNamesItself_invalidArgumentAndTokenNotSpent() {
        Device gateway = coordinator.enroll("gw-confused");
        String token = coordinator.token(1, TTL);
        ManagedChannel channel = coordinator.channel(gateway);

        Status withRequest = refusal(() -> devices(channel).enroll(enrollment("gw-confused-sensor", token, DeviceKeys.generate()
                .certificationRequest("gw-confused-sensor"))));
        Status itself = refusal(() -> devices(channel).enroll(enrollment(gateway.id(), token, null)));

        assertThat(withRequest.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(itself.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(store.deviceIdentity("gw-confused-sensor")).isEmpty();
        assertThat(store.deviceIdentity(gateway.id())).contains(new DeviceIdentityRow(gateway.id(), true, null, false));
        assertUnspent(token, "gw-confused-sensor");
    }

    /** Proves a single-use token was not spent: a device enrolls with it, and its certificate works. */
    private static void assertUnspent(String token, String id) {
        Device d = coordinator.enroll(id, token);
        assertThat(coordinator.beat(d).getCurrentVersion()).isEqualTo(1);
    }

    /** @return a DER PKCS#10 request for {@code subject}, signed by {@code keys}, asking for {@code extensions} (none for null) */
    private static byte[] request(X500Name subject, DeviceKeys keys, ExtensionsGenerator extensions) throws Exception {
        JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject, keys.publicKey());
        if (extensions != null) {
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
        }
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.privateKey())).getEncoded();
    }
}
