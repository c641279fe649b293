package io.flock.core.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a free TCP port for a listener that may have to be started again on the same port (a restarted broker or
 * coordinator).
 *
 * <p>A port from {@code new ServerSocket(0)} lies in the kernel's ephemeral range: once its listener stops, the next
 * outgoing connection on the machine may take it as its local port, and the restart then fails with "Address already
 * in use". This class picks from below that range, which the kernel never hands to outgoing connections.
 */
public final class FreePorts {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;

    private FreePorts() {
    }

    /**
     * @return a port on loopback that was free a moment ago and is not in the ephemeral range
     * @throws UncheckedIOException when no such port was found in 200 attempts
     */
    public static int restartable() {
        int end = ephemeralStart();
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, end);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in " + LOWEST + "-" + end + " after " + ATTEMPTS + " attempts"));
    }

    /** The first port of the kernel's ephemeral range (32768 where /proc does not say). */
    static int ephemeralStart() {
        try {
            int start = Integer.parseInt(Files.readString(RANGE).trim().split("\\s+")[0]);
            return start > LOWEST + 1000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
