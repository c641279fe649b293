package io.flock.coordinator.security;

import io.flock.core.InvalidInputException;
import io.flock.core.artifact.KeyFiles;
import io.flock.core.identity.DeviceCertificates;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.Pem;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The coordinator's certificate authority for devices: an EC P-256 key and a self-signed CA certificate, kept in a
 * directory (the key owner-only; a key file open to others is refused at start), that signs short-lived client
 * certificates from devices' PKCS#10 requests. A certificate names the device as {@link DeviceCertificates} says. The
 * request must carry a valid signature by the key it asks to certify (proof of possession) and name the device it is
 * issued to; its other contents are ignored: the authority writes the subject, names, usages and validity itself.
 * Thread-safe.
 */
public final class CertificateAuthority {
    /** Largest request accepted, bytes: a P-256 request is about 300. */
    public static final int MAX_REQUEST_BYTES = 4096;
    private static final String KEY_FILE = "ca-key.pk8";
    private static final String CERT_FILE = "ca-cert.der";
    private static final String PEM_FILE = "ca-cert.pem";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Reads the request's key by its algorithm OID, which the JDK's providers do not map; not installed globally. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Duration deviceValidity;
    private final SecureRandom random = new SecureRandom();

    private CertificateAuthority(PrivateKey key, X509Certificate certificate, Duration deviceValidity) {
        this.key = key;
        this.certificate = certificate;
        this.deviceValidity = deviceValidity;
    }

    /**
     * @param dir            where the CA key and certificate are kept (created 700 when missing)
     * @param deviceValidity how long a device certificate is valid; devices renew before it ends
     * @return the authority kept in {@code dir}, or a new one written there
     * @throws io.flock.core.config.ConfigException when the key file is open to group or others
     */
    public static CertificateAuthority loadOrCreate(Path dir, Duration deviceValidity) throws IOException {
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        try {
            if (Files.exists(keyFile) && Files.exists(certFile)) {
                KeyFiles.requireOwnerOnly(keyFile);
                PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                        Base64.getMimeDecoder().decode(Files.readString(keyFile).trim())));
                X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
                writePem(dir, cert);
                return new CertificateAuthority(key, cert, deviceValidity);
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            X500Name name = new X500Name("CN=Flock device CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()), Date.from(now.minusSeconds(300)),
                    Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate cert = sign(b, pair.getPrivate());
            KeyFiles.createDirectory(dir);
            KeyFiles.writePrivate(keyFile, Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n");
            Files.write(certFile, cert.getEncoded());
            writePem(dir, cert);
            return new CertificateAuthority(pair.getPrivate(), cert, deviceValidity);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("certificate authority in " + dir + " does not load: " + e.getMessage(), e);
        }
    }

    /** Writes the CA certificate as PEM beside the DER (curl --cacert, brokers and agents take either), when it is not there. */
    private static void writePem(Path dir, X509Certificate cert) throws IOException {
        Path pem = dir.resolve(PEM_FILE);
        if (!Files.exists(pem)) {
            Files.writeString(pem, Pem.of(cert));
        }
    }

    /** @return the CA certificate devices and the coordinator trust */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * The coordinator's own TLS identity: its key (kept owner-only beside the CA key, made on first use) and a
     * certificate issued now for a year, naming the coordinator ({@link DeviceCertificates#COORDINATOR_URI}) and the
     * host names and addresses devices reach it by. It serves gRPC, the embedded broker and REST, and is the client
     * certificate of the coordinator's own MQTT session.
     *
     * @param dir   the CA's directory
     * @param hosts DNS names and IP literals to name (localhost and 127.0.0.1 are always named)
     */
    public TlsCredentials coordinatorCredentials(Path dir, List<String> hosts) throws IOException {
        DeviceKeys keys = DeviceKeys.loadOrCreate(dir.resolve("coordinator"));
        X509Certificate cert = serverCertificate(keys.publicKey(), DeviceCertificates.COORDINATOR_NAME, DeviceCertificates.COORDINATOR_URI,
                hosts, Duration.ofDays(365));
        return new TlsCredentials(keys.privateKey(), cert, certificate);
    }

    /**
     * A server certificate for an external MQTT broker (Mosquitto, EMQX): its own key, made by the caller, named by
     * {@code hosts}; server authentication only, so it can never act as a device or as the coordinator.
     */
    public X509Certificate brokerCertificate(java.security.PublicKey key, List<String> hosts, Duration validity) {
        return serverCertificate(key, "flock:broker", null, hosts, validity);
    }

    private X509Certificate serverCertificate(java.security.PublicKey key, String name, String uri, List<String> hosts, Duration validity) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        names.addAll(hosts);
        List<GeneralName> san = new ArrayList<>();
        if (uri != null) {
            san.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }
        for (String h : names) {
            san.add(new GeneralName(h.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, h));
        }
        KeyPurposeId[] usages = uri != null ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                : new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth};
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(random), Date.from(now.minusSeconds(300)),
                    Date.from(now.plus(validity)), new javax.security.auth.x500.X500Principal("CN=" + name), key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usages))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
            return sign(b, this.key);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a server certificate for " + name, e);
        }
    }

    /**
     * @param request  a DER PKCS#10 request, at most {@link #MAX_REQUEST_BYTES}
     * @param deviceId the enrolled device it is issued to
     * @param now      the start of its validity
     * @return a client certificate for the request's key, naming {@code deviceId}, valid for the device validity
     * @throws InvalidInputException for a request that is oversized, does not parse, is not signed by its own key, or
     *                               names another subject than {@code CN=deviceId}
     */
    public X509Certificate issue(byte[] request, String deviceId, Instant now) {
        Topics.segment(deviceId);
        if (request.length == 0 || request.length > MAX_REQUEST_BYTES) {
            throw new InvalidInputException("certification request of " + request.length + " bytes (1 to " + MAX_REQUEST_BYTES + ")");
        }
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(request);
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC).build(csr.getSubjectPublicKeyInfo()))) {
                throw new InvalidInputException("certification request is not signed by the key it asks to certify");
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // Bouncy Castle's ASN.1 parser also throws IndexOutOfBounds, ClassCast, IllegalState (fuzzed)
            throw new InvalidInputException("certification request does not parse: " + e.getMessage());
        } catch (OperatorCreationException | PKCSException e) {
            throw new InvalidInputException("certification request's signature cannot be checked: " + e.getMessage());
        }
        X500Name subject = new X500Name("CN=" + deviceId);
        if (!subject.equals(csr.getSubject())) {
            throw new InvalidInputException("certification request names " + csr.getSubject() + ", not " + subject);
        }
        try {
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    serial(random), Date.from(now.minusSeconds(300)), Date.from(now.plus(deviceValidity)), subject,
                    csr.getSubjectPublicKeyInfo())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(
                            GeneralName.uniformResourceIdentifier, DeviceCertificates.uri(deviceId))));
            return sign(b, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for " + deviceId, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
