package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.config.ConfigException;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-device distillation in one fleet and one registry: a CNN teacher trained federated by real agents, then a
 * compact MLP student whose train tasks name the teacher. Each agent fetches and verifies the teacher, computes its
 * soft targets on its own data and uploads a student update. A coordinator whose teacher is not in its registry does
 * not start, and says which key to fix.
 */
@Timeout(180)
class DistillationIT {
    @TempDir
    Path dir;

    @Test
    void aStudentRound_withATeacherInTheRegistry_everyDeviceTrainsOnItsSoftTargets() throws Exception {
        String teacher = Fixtures.unique("teacher-");
        String student = Fixtures.unique("student-");
        Path db = dir.resolve("coordinator");
        try (LocalFleet fleet = new LocalFleet(dir.resolve("teacher-fleet"), WireTap.NONE, (id, c) -> c)) {
            CoordinatorServer c = fleet.startCoordinator(Fixtures.coordinator(db, "", teacher, 2,
                    Map.of("model.spec", "cnn:28x28-4-8-16-10", "push.codec", "fp32")));
            fleet.startAgents(Fixtures.partitions(2, 200), c.mqttUrl(), c.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            assertThat(c.rounds().runRound().accepted()).isEqualTo(2);
        }

        assertThatThrownBy(() -> new CoordinatorServer(Fixtures.coordinator(db, "", student, 2,
                Map.of("distill.teacher", "no-such-teacher"))).start()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("distill.teacher=no-such-teacher").hasMessageContaining("no production version");

        try (LocalFleet fleet = new LocalFleet(dir.resolve("student-fleet"), WireTap.NONE, (id, c) -> c)) {
            CoordinatorServer c = fleet.startCoordinator(Fixtures.coordinator(db, "", student, 2,
                    Map.of("distill.teacher", teacher, "distill.temperature", "3", "distill.alpha", "0.7")));
            assertThat(c.registry().models()).contains(teacher, student);
            fleet.startAgents(Fixtures.partitions(2, 200), c.mqttUrl(), c.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));

            RoundResult first = c.rounds().runRound();
            RoundResult second = c.rounds().runRound();

            assertThat(first.accepted()).isEqualTo(2);
            assertThat(second.accepted()).isEqualTo(2);
            for (EdgeAgent a : fleet.agents()) {
                assertThat(distilledTasks(a)).as(a.config().deviceId() + " trained from the teacher's soft targets").isEqualTo(2);
                assertThat(a.localModel().current().orElseThrow().spec().toString()).isEqualTo("mlp:784-64-10");
            }
        }
    }

    private static double distilledTasks(EdgeAgent a) {
        return a.metrics().registry().scrape().stream().filter(s -> s.getMetadata().getName().equals("flock_agent_distilled_tasks"))
                .map(s -> ((CounterSnapshot) s).getDataPoints().get(0).getValue()).findFirst().orElseThrow();
    }
}
