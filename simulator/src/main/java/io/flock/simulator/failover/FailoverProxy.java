package io.flock.simulator.failover;

import io.flock.core.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A layer-4 load balancer in front of replicas, as small as it can be: each new connection goes to the first backend
 * that accepts it, in order (its own replica first, then the others). When a replica dies its connections break, and
 * the clients' reconnects reach the next replica, as behind a balancer with health checks. Loopback only.
 */
final class FailoverProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Integer> backends;
    private final ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("flock-proxy"));
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    /** @param backends loopback ports to try, in order */
    FailoverProxy(List<Integer> backends) throws IOException {
        this.backends = List.copyOf(backends);
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** @return the port clients dial */
    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket backend = connect();
                if (backend == null) {
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(backend);
                threads.execute(() -> pipe(client, backend));
                threads.execute(() -> pipe(backend, client));
            } catch (IOException e) {
                // closed, or one connection failed: keep accepting while open
            }
        }
    }

    private Socket connect() {
        for (int port : backends) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException refused) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // not connected
                }
            }
        }
        return null;
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[64 << 10];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(FailoverProxy::closeQuietly);
        threads.shutdownNow();
    }
}
