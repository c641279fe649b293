package io.flock.coordinator.mqtt;

import io.flock.coordinator.security.CertificateAuthority;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.TlsCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * MQTT clients for the broker security tests: Paho v5 over TLS with Flock credentials, recording what they receive,
 * and a bare MQTT 3.1.1 publisher that ignores the packet limit a broker advertises (Paho refuses to send past it).
 */
public final class TlsClients {
    /** CONNACK, PUBACK and SUBACK reason code "Not authorized". */
    static final int NOT_AUTHORIZED = 0x87;

    private TlsClients() {
    }

    /** A message a {@link Recorder} received. */
    public record Received(String topic, String payload, int bytes, boolean retained) {
    }

    /** A connected client, what it has received since it connected, and those messages' payloads as bytes (in the same order). */
    public record Recorder(MqttClient client, List<Received> messages, List<byte[]> payloads) {
        public boolean connected() {
            return client.isConnected();
        }

        public boolean got(String topic, String payload) {
            return messages.stream().anyMatch(m -> m.topic().equals(topic) && m.payload().equals(payload));
        }
    }

    /** @return credentials for device {@code id}, issued by {@code ca} with validity starting at {@code start} */
    static TlsCredentials device(CertificateAuthority ca, String id, Instant start) {
        DeviceKeys keys = DeviceKeys.generate();
        return new TlsCredentials(keys.privateKey(), ca.issue(keys.certificationRequest(id), id, start), ca.certificate());
    }

    /** @return a socket factory presenting {@code credentials} (none when null) and trusting {@code authority} only */
    public static SSLSocketFactory sockets(TlsCredentials credentials, X509Certificate authority) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(credentials == null ? null : credentials.keyManagers().getKeyManagers(),
                    TlsCredentials.trusting(authority).getTrustManagers(), null);
            return c.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Recorder connect(String url, TlsCredentials credentials, String clientId) throws MqttException {
        return connect(url, sockets(credentials, credentials.authority()), clientId, null);
    }

    /**
     * @param will a retained "offline" last will on this topic, or null
     * @throws MqttException when the broker (or the TLS handshake) refuses
     */
    public static Recorder connect(String url, SSLSocketFactory sockets, String clientId, String will) throws MqttException {
        MqttConnectionOptions o = new MqttConnectionOptions();
        if (sockets != null) {
            o.setSocketFactory(sockets);
        }
        o.setConnectionTimeout(5);
        o.setAutomaticReconnect(false);
        o.setCleanStart(true);
        if (will != null) {
            o.setWill(will, new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true, new MqttProperties()));
        }
        MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
        List<Received> messages = new CopyOnWriteArrayList<>();
        List<byte[]> payloads = new CopyOnWriteArrayList<>();
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage m) {
                messages.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getPayload().length, m.isRetained()));
                payloads.add(m.getPayload());
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        try {
            client.connect(o);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return new Recorder(client, messages, payloads);
    }

    /** @return the SUBACK reason code of one subscription at QoS 1 (0x80 and above: refused) */
    public static int subscribe(MqttClient client, String filter) {
        try {
            return client.subscribe(filter, 1).getReasonCodes()[0];
        } catch (MqttException e) {
            return e.getReasonCode();
        }
    }

    /**
     * Publishes at QoS 1 and waits for the PUBACK. Paho 1.2.5 returns normally on a PUBACK with a failure reason code:
     * a refusal shows as the broker's DISCONNECT that follows it.
     *
     * @return null once acknowledged (or refused), else the exception (e.g. disconnected before the PUBACK)
     */
    public static MqttException publish(MqttClient client, String topic, String payload, boolean retained) {
        try {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, retained);
            return null;
        } catch (MqttException e) {
            return e;
        }
    }

    public static void close(Recorder r) {
        try {
            if (r.client().isConnected()) {
                r.client().disconnect(2_000);
            }
            r.client().close(true);
        } catch (MqttException e) {
            // already gone
        }
    }

    /**
     * Connects over MQTT 3.1.1 (no CONNACK properties, so no advertised packet limit) and publishes {@code payload} at
     * QoS 0.
     *
     * @return whether the broker closed the connection within 5 s of the publish
     */
    static boolean publishRaw(SSLSocketFactory sockets, int port, String clientId, String topic, byte[] payload) throws IOException {
        try (SSLSocket s = (SSLSocket) sockets.createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream connect = new ByteArrayOutputStream();
            connect.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60});
            string(connect, clientId);
            packet(out, 0x10, connect.toByteArray());
            byte[] connack = in.readNBytes(4);
            if (connack.length != 4 || connack[0] != 0x20 || connack[3] != 0) {
                throw new IOException("connection refused: CONNACK " + java.util.HexFormat.of().formatHex(connack));
            }
            ByteArrayOutputStream publish = new ByteArrayOutputStream();
            string(publish, topic);
            publish.write(payload);
            try {
                packet(out, 0x30, publish.toByteArray());
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset while we were still writing or reading: closed
            }
        }
    }

    private static void string(ByteArrayOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xff);
        out.write(b);
    }

    private static void packet(OutputStream out, int type, byte[] body) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(type);
        int n = body.length;
        do {
            int digit = n % 128;
            n /= 128;
            header.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        out.write(header.toByteArray());
        out.write(body);
        out.flush();
    }
}
