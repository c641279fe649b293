package io.flock.coordinator.mqtt.security;

import io.flock.core.identity.DeviceCertificates;
import io.flock.core.link.Topics;
import java.security.cert.X509Certificate;

/**
 * Who an MQTT client is, as its TLS client certificate says: the coordinator or one device. Never taken from anything
 * the client sends in MQTT (client id, username, payload). Immutable.
 */
public sealed interface Identity {
    /** The coordinator's own MQTT session (its certificate names {@link DeviceCertificates#COORDINATOR_URI}). */
    record Coordinator() implements Identity {
        @Override
        public String toString() {
            return "coordinator";
        }
    }

    /**
     * A device, which may also act as a gateway for the devices enrolled behind it.
     *
     * @param id the device id, a valid topic segment
     */
    record Device(String id) implements Identity {
        /** @throws io.flock.core.InvalidInputException when {@code id} is not a valid device id */
        public Device {
            Topics.segment(id);
        }

        @Override
        public String toString() {
            return "device " + id;
        }
    }

    /** The coordinator's identity. */
    Identity COORDINATOR = new Coordinator();

    /**
     * @return the identity a client certificate issued by the Flock CA names
     * @throws io.flock.core.InvalidInputException when it names neither the coordinator nor exactly one valid device
     */
    static Identity of(X509Certificate certificate) {
        return DeviceCertificates.isCoordinator(certificate) ? COORDINATOR : new Device(DeviceCertificates.deviceId(certificate));
    }
}
