package io.flock.coordinator.cli;

import io.flock.core.config.ConfigException;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/** The operator commands' connection to a coordinator's Admin service. */
final class AdminChannel {
    private AdminChannel() {
    }

    /**
     * @param coordinator host:port
     * @throws ConfigException naming the option when it is not host:port
     */
    static ManagedChannel open(String coordinator) {
        String[] hp = coordinator.split(":", 2);
        if (hp.length != 2 || !hp[1].matches("\\d{1,5}")) {
            throw new ConfigException("--coordinator must be host:port, got '" + coordinator + "'");
        }
        return NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
    }

    /** Closes the channel, bounded. */
    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
