package io.flock.simulator.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.simulator.fleet.BundledData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail-over with real processes: two coordinator replicas in child JVMs on the real PostgreSQL (a schema of their own),
 * the real Mosquitto on 127.0.0.1:1883 and real edge agents, half behind each replica. The lease holder is SIGKILLed
 * mid-round after updates were accepted on each replica; the other takes the lease and publishes the round with every
 * accepted update.
 */
class ReplicaFailoverIT {
    private static final Duration TTL = Duration.ofSeconds(4);
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(30);
    @TempDir
    Path work;

    @Test
    void holderKilledMidRound_otherReplicaPublishesTheRound_withEveryAcceptedUpdate() throws Exception {
        FailoverSpec spec = new FailoverSpec(4, TTL, ROUND_TIMEOUT, Duration.ofSeconds(6),
                System.getProperty("flock.test.postgres", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"),
                "tcp://127.0.0.1:1883", BundledData.subset(), work);

        Map<String, Object> r = new FailoverRun(spec, new PrintStream(System.out, true)).run(1);

        assertThat((int) r.get("acceptedBeforeKillOnA")).as("updates accepted by the killed holder").isGreaterThanOrEqualTo(1);
        assertThat((int) r.get("acceptedBeforeKillOnB")).as("updates accepted by the other replica").isGreaterThanOrEqualTo(1);
        assertThat(r.get("roundStatus")).isEqualTo("CLOSED");
        assertThat((int) r.get("lost")).isZero();
        assertThat((int) r.get("inPublishedRound")).isEqualTo(4);
        // the lease expires at most ttl after the last renewal; b tries every ttl/3
        assertThat((double) r.get("killToTakeoverSeconds")).isLessThanOrEqualTo(TTL.toMillis() * 4 / 3 / 1000.0 + 1);
        assertThat((double) r.get("killToPublishedSeconds")).isLessThanOrEqualTo(TTL.plus(ROUND_TIMEOUT).toSeconds());
    }
}
