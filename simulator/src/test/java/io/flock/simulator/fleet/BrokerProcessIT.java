package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.FlockException;
import io.flock.core.net.FreePorts;
import io.flock.simulator.report.ProcessMemory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerProcessIT {
    @TempDir
    Path dir;


    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void startCloseStart_aChildJvmListensIsMeasuredAndEndsWithClose_restartIsANewProcessOnThePort() throws Exception {
        int port = FreePorts.restartable();
        BrokerProcess broker = new BrokerProcess(dir.resolve("b"), port);
        try {
            broker.start();
            long first = broker.pid();
            broker.start(); // idempotent

            assertThat(broker.pid()).isEqualTo(first).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + port);
            assertThat(accepts(port)).isTrue();
            assertThat(ProcessMemory.rssBytes(first)).isGreaterThan(32L << 20);

            broker.close();
            broker.close(); // idempotent
            assertThat(ProcessHandle.of(first).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(broker.pid()).isEqualTo(-1);
            assertThat(ProcessMemory.rssBytes(first)).as("a process that is gone reads as unknown").isEqualTo(-1);
            assertThat(accepts(port)).isFalse();

            broker.start();
            assertThat(broker.pid()).isPositive().isNotEqualTo(first);
            assertThat(accepts(port)).isTrue();
        } finally {
            broker.close();
        }
    }

    @Test
    void start_portAlreadyTaken_failsNamingThePortAndTheLog() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            BrokerProcess broker = new BrokerProcess(dir.resolve("taken"), taken.getLocalPort());

            assertThatThrownBy(broker::start).isInstanceOf(FlockException.class)
                    .hasMessageContaining("MQTT broker process on port " + taken.getLocalPort())
                    .hasMessageContaining("broker.log");
            assertThat(broker.pid()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> new BrokerProcess(dir, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
    }
}
