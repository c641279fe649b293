package io.flock.coordinator.metrics;

import io.flock.core.FlockException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/** Serves a registry on HTTP {@code /metrics} in the Prometheus text format (the client library's own server). */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    /**
     * @param host bind address
     * @param port port, 0 = any free port
     * @throws FlockException when the port cannot be bound
     */
    public MetricsServer(String host, int port, PrometheusRegistry registry) {
        try {
            this.server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new FlockException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** @return the bound port */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
