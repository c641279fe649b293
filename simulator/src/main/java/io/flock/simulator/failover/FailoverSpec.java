package io.flock.simulator.failover;

import io.flock.core.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One fail-over run's settings.
 *
 * @param agents       edge agents, half behind each replica's balancer; even, at least 4
 * @param ttl          the replicas' lease ttl
 * @param roundTimeout the round timeout
 * @param slowTraining extra time the slower half of each replica's agents takes to train, so the round is still open
 *                     when the holder is killed
 * @param postgres     JDBC URL of the PostgreSQL server (each run makes a schema of its own in it)
 * @param mqttUrl      the broker both replicas and all agents use
 * @param data         Fashion-MNIST directory the agents' private data is cut from
 * @param work         scratch directory (replica data dirs, device data)
 */
public record FailoverSpec(int agents, Duration ttl, Duration roundTimeout, Duration slowTraining, String postgres, String mqttUrl, Path data,
                    Path work) {
    /** Validates the options. */
    public FailoverSpec {
        ConfigException.require(agents >= 4 && agents % 2 == 0, "--agents (even, >= 4)", agents);
        ConfigException.require(ttl.compareTo(Duration.ofSeconds(1)) >= 0, "--lease-ttl (>= 1s)", ttl);
        ConfigException.require(roundTimeout.compareTo(slowTraining) > 0, "--round-timeout (longer than --slow-training)", roundTimeout);
        ConfigException.require(postgres.startsWith("jdbc:postgresql:"), "--postgres", postgres);
    }
}
