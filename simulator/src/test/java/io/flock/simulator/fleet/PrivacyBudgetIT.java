package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.cli.ModelsCli;
import io.flock.coordinator.round.TrainingSchedule;
import io.flock.core.privacy.RdpAccountant;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A privacy budget on a running coordinator: the schedule stops when the next round would spend past it, and the admin
 * CLI says why and what each version cost. Real agents, embedded broker, mTLS admin calls.
 */
@Timeout(120)
class PrivacyBudgetIT {
    @TempDir
    Path dir;

    @Test
    void budgetForOneRound_scheduleStopsAfterIt_cliShowsWhyAndTheVersionsEpsilon() throws Exception {
        String model = Fixtures.unique("dp-");
        double oneRound = RdpAccountant.epsilon(1.0, 1.0, 1, 1e-5); // 3 of 3 devices per round: q = 1
        double twoRounds = RdpAccountant.epsilon(1.0, 1.0, 2, 1e-5);
        Map<String, String> dp = Map.of("privacy.mode", "central", "privacy.noise-multiplier", "1.0", "training.clip-norm", "0.5",
                "privacy.max-epsilon", String.valueOf((oneRound + twoRounds) / 2));
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c).devicePrefix(Fixtures.unique("dp") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 3, dp));
            fleet.startAgents(Fixtures.partitions(3, 100), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));

            TrainingSchedule schedule = coordinator.startSchedule(0);
            await().atMost(Duration.ofSeconds(60)).until(schedule::finished);

            assertThat(coordinator.registry().requireCurrent(model).version()).as("one round ran").isEqualTo(2);
            String[] admin = {"--coordinator", "127.0.0.1:" + coordinator.port(), "--keys", coordinator.config().dataDir().resolve("keys").toString()};
            String list = cli(admin, "list");
            assertThat(list).contains("training: stopped: privacy budget spent").contains("would reach")
                    .contains(String.format(Locale.ROOT, "privacy: epsilon=%.3f", oneRound)).contains("after 1 noised rounds");
            assertThat(cli(admin, "versions", model)).contains(String.format(Locale.ROOT, "%.3f", oneRound));
            assertThat(cli(admin, "card", model, "2")).contains(String.format(Locale.ROOT, "(epsilon=%.4f, delta=1.0E-5)-DP after 1 noised rounds",
                    oneRound)).contains("z=1.0, C=0.5, q=1.0000");
            assertThat(cli(admin, "card", model, "1")).contains("trained without differential privacy");
        }
    }

    @Test
    void localDp_devicesClipAndAddTheNoise_theVersionMovesByTheirNoise() throws Exception {
        String model = Fixtures.unique("ldp-");
        Map<String, String> ldp = Map.of("privacy.mode", "local", "privacy.noise-multiplier", "10", "training.clip-norm", "0.1");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c).devicePrefix(Fixtures.unique("ldp") + "-")) {
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 3, ldp));
            fleet.startAgents(Fixtures.partitions(3, 100), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            float[] before = Fixtures.flat(coordinator.registry().globalParameters(coordinator.registry().requireCurrent(model)));

            var round = coordinator.rounds().runRound();

            float[] after = Fixtures.flat(coordinator.registry().globalParameters(coordinator.registry().requireCurrent(model)));
            double squares = 0;
            for (int i = 0; i < after.length; i++) {
                squares += (double) (after[i] - before[i]) * (after[i] - before[i]);
            }
            // each device: a delta clipped to norm 0.1 plus N(0, (10 x 0.1)^2) per coordinate; the mean of 3 equal weights
            // moves each coordinate by noise of std 1/sqrt(3) (the clipped signal adds at most 0.1 to the whole norm)
            assertThat(Math.sqrt(squares / after.length)).isCloseTo(1 / Math.sqrt(3), org.assertj.core.api.Assertions.within(0.02));
            assertThat(round.accepted()).isEqualTo(3);
            assertThat(round.epsilon()).as("a device's cost: q = 1, one round").isCloseTo(RdpAccountant.epsilon(1, 10, 1, 1e-5),
                    org.assertj.core.api.Assertions.within(1e-9));
        }
    }

    private static String cli(String[] admin, String... command) {
        String[] args = new String[admin.length + command.length];
        System.arraycopy(admin, 0, args, 0, admin.length);
        System.arraycopy(command, 0, args, admin.length, command.length);
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(ModelsCli.run(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
