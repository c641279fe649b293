package io.flock.coordinator.security;

import com.google.protobuf.ByteString;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.config.Settings;
import io.flock.core.identity.DeviceKeys;
import io.flock.core.identity.TlsCredentials;
import io.flock.core.link.Topics;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.DeviceInfo;
import io.flock.proto.v1.EnrollRequest;
import io.flock.proto.v1.EnrollResponse;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.HeartbeatAck;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RenewCertificateRequest;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A real coordinator in secure mode (mTLS gRPC on a free loopback port, the embedded broker, H2 in a temporary
 * directory) and the clients the security ITs attack it with: channels with a chosen client certificate, with none, or
 * plaintext; devices enrolled as an agent enrolls them; the Admin stub with a chosen {@code authorization}. Every stub
 * has a deadline of {@link #DEADLINE_SECONDS}; every channel and MQTT session is closed with the fixture. Thread-safe.
 */
final class SecureCoordinator implements AutoCloseable {
    /** The deadline of every call. */
    static final long DEADLINE_SECONDS = 10;
    private final CoordinatorServer server;
    private final String model;
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
    private final List<MqttClient> sessions = new CopyOnWriteArrayList<>();

    /** A device as an agent holds it after enrolling: its id, its key and its TLS identity. */
    record Device(String id, DeviceKeys keys, TlsCredentials credentials) {
    }

    /** A call made for its outcome only: {@link #refusal} says which status it failed with. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    private SecureCoordinator(CoordinatorServer server, String model) {
        this.server = server;
        this.model = model;
    }

    /** @return the settings of a small coordinator in {@code dir}: free ports, no metrics or REST, no held-out set */
    static Map<String, String> settings(Path dir, String model) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data-dir", dir.toString());
        f.put("grpc.port", "0");
        f.put("mqtt.url", "");
        f.put("mqtt.embedded-port", "0");
        f.put("metrics.port", "-1");
        f.put("http.port", "-1");
        f.put("eval.data-dir", "");
        f.put("model.name", model);
        f.put("model.spec", "mlp:784-16-10");
        return f;
    }

    /** @return the configuration of {@code settings} over the defaults */
    static CoordinatorConfig config(Map<String, String> settings) {
        return CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), settings));
    }

    /** @return a started coordinator in {@code dir} (secure mode unless {@code overrides} says otherwise) */
    static SecureCoordinator start(Path dir, String model, Map<String, String> overrides) throws Exception {
        Map<String, String> s = settings(dir, model);
        s.putAll(overrides);
        return new SecureCoordinator(new CoordinatorServer(config(s)).start(), model);
    }

    CoordinatorServer server() {
        return server;
    }

    String model() {
        return model;
    }

    CoordinatorSecurity security() {
        return server.security().orElseThrow();
    }

    X509Certificate authority() {
        return security().authority().certificate();
    }

    /** @return a new TLS channel presenting {@code client}'s certificate, or none for null; it trusts the Flock CA only */
    ManagedChannel channel(TlsCredentials client) {
        return channel(client == null ? null : client.keyManagers().getKeyManagers());
    }

    /** @return a new TLS channel presenting what {@code keys} choose, or no certificate for null; it trusts the Flock CA only */
    ManagedChannel channel(KeyManager[] keys) {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(TlsCredentials.trusting(authority())
                .getTrustManagers());
        if (keys != null) {
            tls.keyManager(keys);
        }
        return track(NettyChannelBuilder.forAddress("127.0.0.1", server.port(), tls.build()).build());
    }

    /** @return a new TLS channel presenting the device's certificate */
    ManagedChannel channel(Device device) {
        return channel(device.credentials());
    }

    /** @return a new TLS channel without a client certificate (what an enrolling device opens) */
    ManagedChannel anonymous() {
        return channel((KeyManager[]) null);
    }

    /** @return a new plaintext channel to the TLS port */
    ManagedChannel plaintext() {
        return track(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
    }

    private ManagedChannel track(ManagedChannel channel) {
        channels.add(channel);
        return channel;
    }

    /** @return a device stub on {@code channel} with a fresh deadline */
    static CoordinatorGrpc.CoordinatorBlockingStub devices(Channel channel) {
        return CoordinatorGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** @return an Admin stub on {@code channel} sending {@code authorization} (none for null), with a fresh deadline */
    static AdminGrpc.AdminBlockingStub admin(Channel channel, String authorization) {
        AdminGrpc.AdminBlockingStub stub = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
        if (authorization == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of(AccessToken.HEADER, Metadata.ASCII_STRING_MARSHALLER), authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** @return the operator's Admin stub: TLS without a client certificate, the admin token */
    AdminGrpc.AdminBlockingStub operator() {
        return admin(anonymous(), security().adminToken().bearer());
    }

    /** @return a new enrollment token, as bin/flock enroll-token makes one */
    String token(int uses, Duration ttl) {
        return security().enrollment().createToken(uses, ttl).value();
    }

    /** @return an Enroll request for {@code id} with {@code token} and a certification request (none for null) */
    static EnrollRequest enrollment(String id, String token, byte[] request) {
        EnrollRequest.Builder b = EnrollRequest.newBuilder().setDevice(DeviceInfo.newBuilder().setDeviceId(id).setHardware("it"))
                .setEnrollmentToken(token);
        if (request != null) {
            b.setCertificationRequest(ByteString.copyFrom(request));
        }
        return b.build();
    }

    /** @return a device enrolled as an agent does: a new key, a one-time token, Enroll over TLS without a certificate */
    Device enroll(String id) {
        return enroll(id, token(1, Duration.ofMinutes(10)));
    }

    /** @return a device enrolled with {@code token} */
    Device enroll(String id, String token) {
        DeviceKeys keys = DeviceKeys.generate();
        EnrollResponse r = devices(anonymous()).enroll(enrollment(id, token, keys.certificationRequest(id)));
        return new Device(id, keys, credentials(keys, r.getCertificate().toByteArray()));
    }

    /** @return the TLS identity of {@code keys} with the DER certificate {@code der}, trusting the Flock CA */
    TlsCredentials credentials(DeviceKeys keys, byte[] der) {
        return credentials(keys, TlsCredentials.certificate(der));
    }

    /** @return the TLS identity of {@code keys} with {@code certificate}, trusting the Flock CA */
    TlsCredentials credentials(DeviceKeys keys, X509Certificate certificate) {
        return new TlsCredentials(keys.privateKey(), certificate, authority());
    }

    /** @return a heartbeat of {@code id} running version 1 of the model */
    Heartbeat heartbeat(String id) {
        return Heartbeat.newBuilder().setDeviceId(id).setModel(model).setRunningVersion(1).build();
    }

    /** @return a Register of {@code id} */
    static RegisterRequest register(String id) {
        return RegisterRequest.newBuilder().setDevice(DeviceInfo.newBuilder().setDeviceId(id).setHardware("it")).build();
    }

    /** @return a telemetry window of {@code id} running version 1 of the model, 5 local predictions */
    Telemetry telemetry(String id) {
        return Telemetry.newBuilder().setDeviceId(id).setModel(model).setRunningVersion(1).setLocalPredictions(5).build();
    }

    /** @return a RenewCertificate request for {@code id}'s name and {@code keys} */
    static RenewCertificateRequest renewal(DeviceKeys keys, String id) {
        return RenewCertificateRequest.newBuilder().setCertificationRequest(ByteString.copyFrom(keys.certificationRequest(id))).build();
    }

    /** @return the answer to a heartbeat of {@code device} for itself on a new channel with its certificate */
    HeartbeatAck beat(Device device) {
        return devices(channel(device)).sendHeartbeat(heartbeat(device.id()));
    }

    /**
     * Connects the device to the coordinator's broker as its agent does and keeps it connected until {@link #close()}:
     * client id {@code flock-agent-<id>} ({@code flock-gateway-<id>} when it speaks for devices behind it), TLS with the
     * device's certificate when the broker is {@code ssl://}, a retained {@code offline} will, then a retained
     * {@code online} status for itself and for each device in {@code behind}, so rounds can select them.
     *
     * @throws MqttException when the broker refuses the connection or a publish
     */
    void online(Device device, String... behind) throws MqttException {
        String url = server.mqttUrl();
        MqttClient client = new MqttClient(url, (behind.length == 0 ? "flock-agent-" : "flock-gateway-") + device.id(),
                new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout((int) DEADLINE_SECONDS);
        o.setAutomaticReconnect(false);
        o.setWill(Topics.status(device.id()), new MqttMessage(Topics.OFFLINE.getBytes(StandardCharsets.UTF_8), 1, true, new MqttProperties()));
        if (url.startsWith("ssl://")) {
            o.setSocketFactory(device.credentials().sslContext().getSocketFactory());
        }
        sessions.add(client);
        client.connect(o);
        client.publish(Topics.status(device.id()), Topics.ONLINE.getBytes(StandardCharsets.UTF_8), 1, true);
        for (String id : behind) {
            client.publish(Topics.status(id), Topics.ONLINE.getBytes(StandardCharsets.UTF_8), 1, true);
        }
    }

    /** @return the status {@code call} failed with; an AssertionError when it succeeded */
    static Status refusal(Call call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        } catch (Exception e) {
            throw new AssertionError("the call failed without a status", e);
        }
        throw new AssertionError("the call succeeded");
    }

    /** Streams an update, the header then the payload in one chunk; @return the receipt, or throws its status */
    static UploadReceipt upload(Channel channel, UpdateHeader header, byte[] payload) throws Exception {
        CompletableFuture<UploadReceipt> answer = new CompletableFuture<>();
        StreamObserver<UpdateChunk> out = CoordinatorGrpc.newStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .uploadUpdate(receiver(answer));
        out.onNext(UpdateChunk.newBuilder().setHeader(header).build());
        out.onNext(UpdateChunk.newBuilder().setData(ByteString.copyFrom(payload)).build());
        out.onCompleted();
        try {
            return answer.get(DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /**
     * Sends only an update's header and waits for the coordinator's answer with the stream still open: a refusal that
     * arrives proves the update was refused at its header, before any payload.
     *
     * @return the status the stream was ended with; an AssertionError when none came within 5 s
     */
    static Status headerRefusal(Channel channel, UpdateHeader header) throws Exception {
        CompletableFuture<UploadReceipt> answer = new CompletableFuture<>();
        ClientCallStreamObserver<UpdateChunk> out = (ClientCallStreamObserver<UpdateChunk>) CoordinatorGrpc.newStub(channel)
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).uploadUpdate(receiver(answer));
        out.onNext(UpdateChunk.newBuilder().setHeader(header).build());
        try {
            answer.get(5, TimeUnit.SECONDS);
            throw new AssertionError("a receipt for a stream that was never completed");
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no refusal within 5 s of the header: the coordinator waits for the payload", e);
        } finally {
            out.cancel("test done", null);
        }
    }

    private static StreamObserver<UploadReceipt> receiver(CompletableFuture<UploadReceipt> answer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(UploadReceipt r) {
                answer.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(new AssertionError("upload ended without a receipt"));
            }
        };
    }

    @Override
    public void close() throws InterruptedException {
        for (MqttClient m : sessions) {
            try {
                if (m.isConnected()) {
                    m.disconnectForcibly(0, 1000, false);
                }
                m.close();
            } catch (MqttException e) {
                // already gone with an evicted session
            }
        }
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
        server.close();
    }
}
