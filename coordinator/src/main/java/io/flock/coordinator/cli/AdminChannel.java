package io.flock.coordinator.cli;

import io.flock.coordinator.security.AccessToken;
import io.flock.core.config.ConfigException;
import io.flock.core.identity.TlsCredentials;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * The operator commands' connection to a coordinator's Admin service, a picocli mixin: TLS trusting the coordinator's
 * CA, with the admin token, both read from the coordinator's key directory ({@code --keys}); or plaintext with
 * {@code --insecure}, for a coordinator run with {@code security.mode=insecure}.
 */
public final class AdminChannel {
    @Option(names = "--coordinator", description = "coordinator gRPC host:port (default: 127.0.0.1:7443)")
    String coordinator = "127.0.0.1:7443";

    @Option(names = "--keys", description = "the coordinator's key directory: its CA certificate (ca/ca-cert.der) and admin token"
            + " (admin-token) (default: .flock/coordinator/keys)")
    Path keys = Path.of(".flock/coordinator/keys");

    @Option(names = "--insecure", description = "plaintext, no token: only for a coordinator run with security.mode=insecure")
    boolean insecure;

    /**
     * @throws ConfigException naming the option when the address is not host:port or the keys are not there
     */
    ManagedChannel open() {
        String[] hp = coordinator.split(":", 2);
        if (hp.length != 2 || !hp[1].matches("\\d{1,5}")) {
            throw new ConfigException("--coordinator must be host:port, got '" + coordinator + "'");
        }
        if (insecure) {
            return NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
        }
        Path ca = keys.resolve("ca").resolve("ca-cert.der");
        Path tokenFile = keys.resolve("admin-token");
        if (!Files.isRegularFile(ca) || !Files.isRegularFile(tokenFile)) {
            throw new ConfigException("--keys " + keys + " holds no ca/ca-cert.der and admin-token: point it at the coordinator's"
                    + " data-dir/keys (or pass --insecure for a coordinator run with security.mode=insecure)");
        }
        try {
            AccessToken token = AccessToken.loadOrCreate(tokenFile);
            ChannelCredentials tls = TlsChannelCredentials.newBuilder()
                    .trustManager(TlsCredentials.trusting(TlsCredentials.certificate(Files.readAllBytes(ca))).getTrustManagers()).build();
            return NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1]), tls).intercept(new io.grpc.ClientInterceptor() {
                @Override
                public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options,
                                                                     io.grpc.Channel next) {
                    return next.newCall(method, options.withCallCredentials(bearer(token)));
                }
            }).build();
        } catch (IOException e) {
            throw new ConfigException("cannot read the coordinator's keys in " + keys + ": " + e.getMessage());
        }
    }

    private static CallCredentials bearer(AccessToken token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(Metadata.Key.of(AccessToken.HEADER, Metadata.ASCII_STRING_MARSHALLER), token.bearer());
                applier.apply(m);
            }
        };
    }

    /** @return the answer of one unary Admin call (10 s deadline) on a channel of its own, closed after */
    <T> T call(java.util.function.Function<io.flock.proto.v1.AdminGrpc.AdminBlockingStub, T> rpc) throws InterruptedException {
        ManagedChannel channel = open();
        try {
            return rpc.apply(io.flock.proto.v1.AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
        } finally {
            close(channel);
        }
    }

    /** Closes the channel, bounded. */
    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
