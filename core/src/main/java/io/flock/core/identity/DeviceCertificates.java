package io.flock.core.identity;

import io.flock.core.InvalidInputException;
import io.flock.core.link.Topics;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * How a device's identity is written into its X.509 certificate, read by every side the same way: the device id is
 * the certificate's one subject-alternative-name URI {@code urn:flock:device:<id>}, and its subject's common name
 * repeats it. The coordinator's certificate authority writes both; a peer's id is read from the URI, never from a
 * message body. Stateless.
 */
public final class DeviceCertificates {
    /** The URI prefix of a device identity. */
    public static final String URI_PREFIX = "urn:flock:device:";
    /** The subject-alternative-name URI of the coordinator's own certificate (TLS server, and its MQTT client). */
    public static final String COORDINATOR_URI = "urn:flock:coordinator";
    /**
     * The coordinator's common name: a ':' no device id may hold, so no enrolled device can be named like it (brokers
     * that take the MQTT username from the common name, as Mosquitto's {@code use_identity_as_username} does, see it).
     */
    public static final String COORDINATOR_NAME = "flock:coordinator";
    /** The subjectAltName type of a URI (RFC 5280, uniformResourceIdentifier). */
    private static final int SAN_URI = 6;

    private DeviceCertificates() {
    }

    /** @return the subject-alternative-name URI that names {@code deviceId} */
    public static String uri(String deviceId) {
        return URI_PREFIX + Topics.segment(deviceId);
    }

    /** @return whether the certificate names the coordinator (its subject-alternative-name URI, and its common name) */
    public static boolean isCoordinator(X509Certificate certificate) {
        return uris(certificate).contains(COORDINATOR_URI)
                && certificate.getSubjectX500Principal().getName().equals("CN=" + COORDINATOR_NAME);
    }

    private static List<String> uris(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            List<String> out = new java.util.ArrayList<>();
            for (List<?> name : names == null ? List.<List<?>>of() : names) {
                if (name.size() == 2 && Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String uri) {
                    out.add(uri);
                }
            }
            return out;
        } catch (CertificateParsingException e) {
            throw new InvalidInputException("certificate's subject alternative names do not parse: " + e.getMessage());
        }
    }

    /**
     * @return the device id the certificate names
     * @throws InvalidInputException when it names no device, more than one, an id that is not a valid device id, or a
     *                               common name that differs
     */
    public static String deviceId(X509Certificate certificate) {
        String id = null;
        for (String uri : uris(certificate)) {
            if (uri.startsWith(URI_PREFIX)) {
                if (id != null) {
                    throw new InvalidInputException("certificate names more than one device");
                }
                id = uri.substring(URI_PREFIX.length());
            }
        }
        if (id == null) {
            throw new InvalidInputException("certificate of " + certificate.getSubjectX500Principal().getName() + " names no device ("
                    + URI_PREFIX + "<id> subject alternative name)");
        }
        Topics.segment(id);
        String subject = certificate.getSubjectX500Principal().getName();
        if (!subject.equals("CN=" + id)) {
            throw new InvalidInputException("certificate subject " + subject + " does not match its device id " + id);
        }
        return id;
    }
}
