package io.flock.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void aPickedPortIsBelowTheEphemeralRange_andCanBeBound() throws Exception {
        int start = FreePorts.ephemeralStart();
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.restartable();
            assertThat(port).isBetween(10_000, start - 1);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
