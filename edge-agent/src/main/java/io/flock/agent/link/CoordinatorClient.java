package io.flock.agent.link;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.flock.agent.security.DeviceCredentials;
import io.flock.link.wire.SingleAnswer;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.BatchPredictionChunk;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.DeviceInfo;
import io.flock.proto.v1.EnrollRequest;
import io.flock.proto.v1.EnrollResponse;
import io.flock.proto.v1.FetchArtifactRequest;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RenewCertificateRequest;
import io.flock.proto.v1.SecAggReply;
import io.flock.proto.v1.SecAggRequest;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.TaskRejectionAck;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.UpdateChunk;
import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The device's gRPC connection to the coordinator. Calls throw {@link io.grpc.StatusRuntimeException}
 * with the coordinator's status. Thread-safe.
 */
public final class CoordinatorClient implements AutoCloseable {
    private static final int UPLOAD_CHUNK = 1 << 20;
    private final String deviceId;
    /** Makes this client's own connection again; null on a shared one. */
    private final java.util.function.Supplier<ManagedChannel> connect;
    private final WireTap tap;
    private final java.util.function.BooleanSupplier reachable;
    private volatile ManagedChannel channel;
    /** The gateway this device sits behind, named when it registers; empty = none. */
    private volatile String gatewayId = "";
    private volatile CoordinatorGrpc.CoordinatorBlockingStub blocking;
    private volatile CoordinatorGrpc.CoordinatorStub async;

    /**
     * A client with its own connection.
     *
     * @param target   host:port of the coordinator
     * @param deviceId this device
     * @param tap       sees every message in and out
     * @param reachable false while the device is cut off (emulated partitions): calls fail UNAVAILABLE
     */
    public CoordinatorClient(String target, String deviceId, WireTap tap, java.util.function.BooleanSupplier reachable) {
        this(() -> channel(target), null, deviceId, tap, reachable);
    }

    /**
     * A client with its own connection, over mTLS with the device's credentials.
     *
     * @param credentials the device's key, certificate and CA; null = plaintext (insecure mode)
     */
    public CoordinatorClient(String target, DeviceCredentials credentials, String deviceId, WireTap tap,
                             java.util.function.BooleanSupplier reachable) {
        this(() -> channel(target, credentials), null, deviceId, tap, reachable);
    }

    /**
     * A client on a connection shared with other devices (a gateway); closing the client leaves the
     * connection open.
     */
    public CoordinatorClient(ManagedChannel shared, String deviceId, WireTap tap, java.util.function.BooleanSupplier reachable) {
        this(null, shared, deviceId, tap, reachable);
    }

    private CoordinatorClient(java.util.function.Supplier<ManagedChannel> connect, ManagedChannel shared, String deviceId, WireTap tap,
                              java.util.function.BooleanSupplier reachable) {
        this.deviceId = deviceId;
        this.connect = connect;
        this.tap = tap;
        this.reachable = reachable;
        use(connect == null ? shared : connect.get());
    }

    private void use(ManagedChannel c) {
        Channel device = ClientInterceptors.intercept(c, new Tap(tap), new Gate(reachable));
        this.blocking = CoordinatorGrpc.newBlockingStub(device);
        this.async = CoordinatorGrpc.newStub(device);
        this.channel = c;
    }

    /** @return a plaintext channel to the coordinator (insecure mode) */
    public static ManagedChannel channel(String target) {
        return NettyChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(8 << 20).build();
    }

    /**
     * @param credentials null = plaintext
     * @return a channel to the coordinator over TLS, trusting the Flock CA only and presenting the device's current
     *         certificate (none before enrollment)
     */
    public static ManagedChannel channel(String target, DeviceCredentials credentials) {
        if (credentials == null) {
            return channel(target);
        }
        ChannelCredentials tls = TlsChannelCredentials.newBuilder().keyManager(credentials.keyManager())
                .trustManager(credentials.trustManagers().getTrustManagers()).build();
        return NettyChannelBuilder.forTarget(target, tls).maxInboundMessageSize(8 << 20).build();
    }

    /**
     * Enrolls: this device itself with a certification request (sent before it holds a certificate), or, with
     * {@code request} null over a gateway's connection, a device behind that gateway.
     *
     * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED for a bad token, ALREADY_EXISTS for an enrolled id
     */
    public EnrollResponse enroll(String hardware, String token, byte[] request, Duration timeout) {
        EnrollRequest.Builder b = EnrollRequest.newBuilder().setDevice(DeviceInfo.newBuilder().setDeviceId(deviceId).setHardware(hardware)
                .setMemoryBytes(Runtime.getRuntime().maxMemory())).setEnrollmentToken(token);
        if (request != null) {
            b.setCertificationRequest(ByteString.copyFrom(request));
        }
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).enroll(b.build());
    }

    /** @return a fresh certificate for this device's (new or same) key, asked over its current one */
    public EnrollResponse renew(byte[] request, Duration timeout) {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .renewCertificate(RenewCertificateRequest.newBuilder().setCertificationRequest(ByteString.copyFrom(request)).build());
    }

    /**
     * Replaces this client's own connection by a new one, which presents the certificate that is current now (a new
     * connection object: TLS would resume the old one's session, and with it the old client certificate, or none). Calls
     * in flight finish on the old connection. A shared connection is its owner's to replace.
     */
    public synchronized void reconnect() {
        if (connect == null) {
            return;
        }
        ManagedChannel old = channel;
        use(connect.get());
        old.shutdown();
    }

    /**
     * Names the gateway this device sits behind when it registers (insecure mode; in secure mode enrolling behind the gateway
     * says it).
     *
     * @return this client
     */
    public CoordinatorClient behind(String gatewayId) {
        this.gatewayId = gatewayId;
        return this;
    }

    /** Registers this device; idempotent. */
    public void register(String hardware, String token, Duration timeout) {
        blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).register(RegisterRequest.newBuilder()
                .setDevice(DeviceInfo.newBuilder().setDeviceId(deviceId).setHardware(hardware)
                        .setMemoryBytes(Runtime.getRuntime().maxMemory()).setGatewayId(gatewayId))
                .setEnrollmentToken(token).build());
    }

    /** Reports what the device runs. */
    public void heartbeat(Heartbeat heartbeat, Duration timeout) {
        blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).sendHeartbeat(heartbeat);
    }

    /** Sends operational and privacy-safe statistics. */
    public void telemetry(Telemetry telemetry, Duration timeout) {
        blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).reportTelemetry(telemetry);
    }

    /**
     * Tells the coordinator this device refuses a task (a plan field it cannot honour), so the round
     * can count it at once instead of waiting for its deadline.
     *
     * @throws io.grpc.StatusRuntimeException with the coordinator's status (UNIMPLEMENTED from a
     *                                        coordinator that predates the call)
     */
    public TaskRejectionAck rejectTask(TaskRejection rejection, Duration timeout) {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).rejectTask(rejection);
    }

    /** @return the current announcement of a model */
    public ModelAnnouncement currentModel(String model, Duration timeout) {
        return modelVersion(model, 0, timeout);
    }

    /** @return the announcement of a version that was production (a train task's base); 0 = what to run now */
    public ModelAnnouncement modelVersion(String model, long version, Duration timeout) {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .getCurrentModel(GetCurrentModelRequest.newBuilder().setDeviceId(deviceId).setModel(model).setVersion(version).build());
    }

    /** @return the artifact's bytes from {@code offset} to its end */
    public byte[] fetchArtifact(String sha256, long offset, Duration timeout) {
        Iterator<ArtifactChunk> it = blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).fetchArtifact(
                FetchArtifactRequest.newBuilder().setDeviceId(deviceId).setSha256(sha256).setOffset(offset).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (it.hasNext()) {
            byte[] part = it.next().getData().toByteArray();
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }

    /**
     * A set's precomputed predictions from a row offset; the request names only the set and the offset.
     *
     * @param maxRows rows per chunk at most, 0 = the coordinator's choice
     * @return the chunks as they arrive; iterating throws {@link io.grpc.StatusRuntimeException} when the stream breaks
     */
    public Iterator<BatchPredictionChunk> fetchBatch(String set, long offsetRows, int maxRows, Duration timeout) {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).fetchBatchPredictions(FetchBatchRequest.newBuilder()
                .setDeviceId(deviceId).setSet(set).setOffsetRows(offsetRows).setMaxRows(maxRows).build());
    }

    /**
     * Streams an update: the header, then the payload in 1 MiB chunks.
     *
     * @throws io.grpc.StatusRuntimeException with the coordinator's verdict
     */
    public UploadReceipt upload(UpdateHeader header, byte[] payload, Duration timeout) throws InterruptedException {
        SingleAnswer<UploadReceipt> response = new SingleAnswer<>("upload ended without a receipt");
        CompletableFuture<UploadReceipt> result = response.future();
        StreamObserver<UpdateChunk> request = async.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).uploadUpdate(response);
        request.onNext(UpdateChunk.newBuilder().setHeader(header).build());
        for (int from = 0; from < payload.length; from += UPLOAD_CHUNK) {
            request.onNext(UpdateChunk.newBuilder()
                    .setData(ByteString.copyFrom(payload, from, Math.min(UPLOAD_CHUNK, payload.length - from))).build());
        }
        request.onCompleted();
        try {
            return result.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw io.grpc.Status.DEADLINE_EXCEEDED.withDescription("upload timed out").asRuntimeException();
        }
    }

    /**
     * One stage of secure aggregation; the coordinator answers advertise, share and await_unmask when the stage closes.
     *
     * @throws io.grpc.StatusRuntimeException with the coordinator's verdict
     */
    public SecAggReply secureAggregation(SecAggRequest request, Duration timeout) {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).secureAggregation(request);
    }

    /** @return the coordinator's answer, or a DEADLINE_EXCEEDED/UNAVAILABLE status exception */
    public PredictResponse predict(PredictRequest request, Duration timeout) {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).predict(request);
    }

    @Override
    public void close() {
        if (connect == null) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(3, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Fails calls at once while the device is partitioned from the coordinator. */
    private record Gate(java.util.function.BooleanSupplier reachable) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            if (reachable.getAsBoolean()) {
                return next.newCall(method, options);
            }
            return new ClientCall<>() {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    listener.onClose(io.grpc.Status.UNAVAILABLE.withDescription("coordinator unreachable (network partition)"),
                            new Metadata());
                }

                @Override
                public void request(int numMessages) {
                }

                @Override
                public void cancel(String message, Throwable cause) {
                }

                @Override
                public void halfClose() {
                }

                @Override
                public void sendMessage(Q message) {
                }
            };
        }
    }

    /** Shows every serialized message to the tap. */
    private static final class Tap implements ClientInterceptor {
        private final WireTap tap;

        Tap(WireTap tap) {
            this.tap = tap;
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void sendMessage(Q message) {
                    tap.record("grpc", true, ((MessageLite) message).toByteArray());
                    super.sendMessage(message);
                }

                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onMessage(R message) {
                            tap.record("grpc", false, ((MessageLite) message).toByteArray());
                            super.onMessage(message);
                        }
                    }, headers);
                }
            };
        }
    }
}
