package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.async.AsyncEngine;
import io.flock.coordinator.round.RoundResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Buffered asynchronous training with real agents on the embedded broker: no rounds, a version every K updates. */
@Timeout(180)
class AsyncTrainingIT {
    @TempDir
    Path dir;

    @Test
    void fourAgents_threeTrainingAtOnce_aVersionEveryTwoUpdates_accuracyRises() throws Exception {
        String model = Fixtures.unique("async-");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c).devicePrefix(Fixtures.unique("as") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 3,
                    Map.of("async.enabled", "true", "async.concurrency", "3", "async.buffer-size", "2", "async.max-staleness", "4")));
            assertThat(coordinator.trainer()).isInstanceOf(AsyncEngine.class);
            double initial = coordinator.registry().requireCurrent(model).accuracy();
            fleet.startAgents(Fixtures.partitions(4, 600), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));

            List<RoundResult> versions = new ArrayList<>();
            Set<String> contributors = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                RoundResult r = coordinator.trainer().runRound();
                versions.add(r);
                contributors.addAll(r.devices());
                assertThat(((AsyncEngine) coordinator.trainer()).training()).as("async.concurrency").isLessThanOrEqualTo(3);
            }

            assertThat(versions).extracting(RoundResult::version).containsExactly(2L, 3L, 4L, 5L);
            assertThat(versions).allMatch(r -> r.accepted() >= 2);
            assertThat(contributors).as("every agent trained at some point").hasSize(4);
            assertThat(versions.get(3).accuracy()).isGreaterThan(initial + 0.2);
            fleet.awaitReady(1, Duration.ofSeconds(30));
            for (EdgeAgent a : fleet.agents()) {
                assertThat(a.lastRejection()).isEmpty();
            }
        }
    }
}
