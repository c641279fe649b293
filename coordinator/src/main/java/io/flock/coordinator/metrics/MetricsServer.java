package io.flock.coordinator.metrics;

import io.flock.coordinator.dashboard.DashboardSnapshot;
import io.flock.core.FlockException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's read-only HTTP/1.1 server on Netty, bound when constructed:
 * <ul>
 *   <li>{@code GET /metrics}: the registry in the Prometheus text format, or OpenMetrics when the scraper's Accept asks
 *       for it; {@code ?name[]=...} keeps only the named metrics, as the Prometheus client's own server does</li>
 *   <li>{@code GET /dashboard}: the fleet dashboard page ({@link io.flock.coordinator.dashboard.DashboardPage})</li>
 *   <li>{@code GET /api/dashboard}: the dashboard's snapshot as JSON</li>
 *   <li>{@code GET /static/...}: the page's chart scripts and style, from the jar</li>
 *   <li>{@code GET /}: a redirect to {@code /dashboard}</li>
 * </ul>
 * Any other path is answered 404 and any other method 405, each with a plain-text reason.
 *
 * <p>Security: the dashboard is read-only (no endpoint changes anything) and has no credentials of its own; it is
 * bound exactly like {@code /metrics}, on {@code metrics.host}:{@code metrics.port}, by default 127.0.0.1 only. Expose
 * that address only where the fleet's state may be read (a cluster network behind Prometheus, an SSH tunnel). Device
 * labels, reasons and other supplied text are HTML-escaped on the page and the page sends a Content-Security-Policy
 * that allows scripts from this server only.
 *
 * <p>Scrapes and snapshots run on two worker threads of their own, off the event loop, since gauges and the snapshot
 * may read the database; a connection's requests are answered in order. {@link #close()} is idempotent and bounded: it
 * stops accepting, closes the connections and stops the threads within a few seconds, dropping what is in flight.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    /** The largest request the server reads: its answers need no body, only a request line and headers. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final long CLOSE_SECONDS = 2;
    private static final int WORKERS = 2;
    /** Requests waiting for a worker at most; past that a request is answered 503. */
    private static final int QUEUED = 256;
    private final EventLoopGroup loops;
    private final ExecutorService workers;
    private final Channel channel;
    private final int port;
    private boolean closed;

    /**
     * A server of {@code /metrics} only: {@code /dashboard} answers 404 "no dashboard on this server".
     *
     * @param host     bind address
     * @param port     port, 0 = any free port
     * @param registry what {@code /metrics} exposes
     * @throws FlockException when the port cannot be bound
     */
    public MetricsServer(String host, int port, PrometheusRegistry registry) {
        this(host, port, registry, null);
    }

    /**
     * @param host      bind address
     * @param port      port, 0 = any free port
     * @param registry  what {@code /metrics} exposes
     * @param dashboard what {@code /dashboard} and {@code /api/dashboard} show, asked on each request (so it should be
     *                  quick: each open page asks every {@link io.flock.coordinator.dashboard.DashboardPage#REFRESH_MS}
     *                  ms); null serves no dashboard
     * @throws FlockException when the port cannot be bound
     */
    public MetricsServer(String host, int port, PrometheusRegistry registry, Supplier<DashboardSnapshot> dashboard) {
        Objects.requireNonNull(registry, "registry");
        MetricsRoutes routes = new MetricsRoutes(registry, dashboard);
        loops = new NioEventLoopGroup(1, new DefaultThreadFactory("flock-metrics-io", true));
        workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED),
                new DefaultThreadFactory("flock-metrics", true));
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new MetricsHandler(routes, workers));
                    }
                });
        try {
            channel = bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // the bind's cause, rethrown as it is (a BindException is checked but not declared)
            stopThreads();
            throw new FlockException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
        log.info("metrics on {}:{} (/metrics{})", host, this.port, dashboard == null ? "" : ", /dashboard, /api/dashboard");
    }

    /** @return the bound port */
    public int port() {
        return port;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
        stopThreads();
    }

    /** The event loop first (it closes the connections), then the workers, interrupting what they answer. */
    private void stopThreads() {
        loops.shutdownGracefully(0, CLOSE_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_SECONDS + 1, TimeUnit.SECONDS);
        workers.shutdownNow();
        try {
            workers.awaitTermination(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
