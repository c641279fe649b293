package io.flock.coordinator.http;

import io.flock.coordinator.serving.ModelServing;
import io.flock.core.FlockException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjDoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Inference Protocol (KServe v2) REST API over {@link ModelServing}, on Netty HTTP/1.1 with keep-alive:
 * {@code GET /v2/health/live}, {@code GET /v2/health/ready} (a model is loaded), {@code GET /v2/models/{m}[/versions/{v}]}
 * (metadata), {@code GET .../ready} and {@code POST .../infer} (v2 JSON tensors, each row through
 * {@link ModelServing#predict}, so REST rows batch with gRPC offloads and share the cache). Errors are JSON
 * {@code {"error": "..."}} with the status {@link HttpStatusMapper} gives them. {@link #start()} and {@link #close()}
 * are idempotent; close stops accepting, waits (bounded by the request timeout) for the requests in flight, then stops
 * the event loops.
 *
 * <p>With an {@link HttpSecurity} the listener speaks only TLS (a plaintext request fails the handshake) and every
 * endpoint but the two health checks answers 401 to a request without a valid bearer token, before its body is read
 * into memory or parsed and before anything is queued or counted; without one it serves plaintext HTTP to anyone.
 */
public final class InferenceHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceHttpServer.class);
    private final String host;
    private final int port;
    private final int maxBodyBytes;
    private final Duration requestTimeout;
    private final ModelServing serving;
    private final ObjDoubleConsumer<String> served;
    private final HttpSecurity security;
    private final SslContext tls;
    private final AtomicInteger inFlight = new AtomicInteger();
    private EventLoopGroup loops;
    private Channel channel;

    /**
     * A server with no security: plaintext HTTP, no credentials asked for. The same as the full constructor with a null
     * {@code security}.
     *
     * @param host           bind address
     * @param port           port, 0 = any free port
     * @param maxBodyBytes   largest request body; a larger one is answered 413
     * @param requestTimeout each request's deadline, passed to serving; past it the answer is 504
     * @param serving        what answers
     * @param served         told of each answered row (the model that answered, the request's seconds), e.g. the metrics
     */
    public InferenceHttpServer(String host, int port, int maxBodyBytes, Duration requestTimeout, ModelServing serving,
                               ObjDoubleConsumer<String> served) {
        this(host, port, maxBodyBytes, requestTimeout, serving, served, null);
    }

    /**
     * @param host           bind address
     * @param port           port, 0 = any free port
     * @param maxBodyBytes   largest request body; a larger one is answered 413
     * @param requestTimeout each request's deadline, passed to serving; past it the answer is 504
     * @param serving        what answers
     * @param served         told of each answered row (the model that answered, the request's seconds), e.g. the metrics;
     *                       never told of a refused request
     * @param security       TLS and the tokens to accept; null serves plaintext HTTP to anyone (the insecure mode)
     * @throws IllegalArgumentException for a body limit below 1 byte or a timeout that is not positive
     * @throws FlockException           when {@code security}'s key and certificate make no TLS context
     */
    public InferenceHttpServer(String host, int port, int maxBodyBytes, Duration requestTimeout, ModelServing serving,
                               ObjDoubleConsumer<String> served, HttpSecurity security) {
        if (maxBodyBytes < 1 || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("need maxBodyBytes >= 1 and a positive request timeout, got " + maxBodyBytes + ", "
                    + requestTimeout);
        }
        this.host = host;
        this.port = port;
        this.maxBodyBytes = maxBodyBytes;
        this.requestTimeout = requestTimeout;
        this.serving = serving;
        this.served = served;
        this.security = security;
        this.tls = security == null ? null : security.serverContext();
    }

    /**
     * Binds and serves.
     *
     * @return this
     * @throws FlockException when the address cannot be bound
     */
    public synchronized InferenceHttpServer start() {
        if (channel != null) {
            return this;
        }
        loops = new NioEventLoopGroup(2, new DefaultThreadFactory("flock-http", true));
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast(tls.newHandler(ch.alloc()));
                        }
                        p.addLast(new HttpServerCodec());
                        if (security != null) {
                            p.addLast(new AccessCheck(security));
                        }
                        p.addLast(new BodyLimit(maxBodyBytes), new InferenceHandler(serving, requestTimeout, served, inFlight));
                    }
                });
        try {
            channel = bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // the bind's cause, rethrown as it is (a BindException is checked but not declared)
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            loops = null;
            throw new FlockException("cannot serve HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("http inference on {}:{} {} max-body-bytes={} request-timeout={}ms", host, port(),
                security == null ? "tls=off tokens=none" : "tls=on tokens=apps,admin", maxBodyBytes, requestTimeout.toMillis());
        return this;
    }

    /** @return the bound port, once started */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        channel.close().syncUninterruptibly();
        long drainBy = System.nanoTime() + requestTimeout.plusSeconds(1).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - drainBy < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("http inference stopped; {} requests were still in flight", inFlight.get());
        channel = null;
        loops = null;
    }
}
