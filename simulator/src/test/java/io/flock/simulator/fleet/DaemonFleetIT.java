package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.AgentMain;
import io.flock.coordinator.CoordinatorMain;
import io.flock.coordinator.cli.DevicesCli;
import io.flock.coordinator.cli.ModelsCli;
import io.flock.core.data.ByteDataset;
import io.flock.core.net.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator and two agents, each a child process started through its own module's entry point, against
 * Mosquitto on 127.0.0.1:1883: they train a round, then the admin CLI rolls the model back and promotes it
 * again while the agents run, and the agents load each version it names (read from their own /metrics).
 */
@Timeout(240)
class DaemonFleetIT {
    @TempDir
    Path dir;

    private static double gauge(int port, String name) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith(name + " ")) {
                    return Double.parseDouble(line.substring(name.length() + 1));
                }
            }
            return Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    @Test
    void agentsFollowARollbackAndAPromotion_madeWithTheAdminCliWhileTheyRun() throws Exception {
        String model = Fixtures.unique("fleet-");
        int grpc = FreePorts.restartable();
        int coordinatorMetrics = FreePorts.restartable();
        int mqtt = FreePorts.restartable();
        Path keys = dir.resolve("c").resolve("keys");
        List<ChildJvm> children = new ArrayList<>();
        try {
            ChildJvm coordinator = ChildJvm.start("coordinator", CoordinatorMain.class.getName(), dir.resolve("coordinator.log"),
                    // secure, as the README runs it: the embedded broker with mTLS and ACLs, devices enrolled with a token
                    "--set", "data-dir=" + dir.resolve("c"), "--set", "mqtt.url=", "--set", "mqtt.embedded-port=" + mqtt, "--set", "grpc.port=" + grpc,
                    "--set", "metrics.port=" + coordinatorMetrics, "--set", "http.port=0", "--set", "model.name=" + model,
                    "--set", "model.spec=mlp:784-16-10",
                    "--set", "round.devices=2", "--set", "round.min-results=2", "--set", "round.min-available=2",
                    "--set", "training.learning-rate=0.05", "--set", "training.batch-size=16", "--rounds", "1");
            children.add(coordinator);
            coordinator.await("coordinator on", Duration.ofSeconds(60));
            String target = "127.0.0.1:" + grpc;
            String token = cliOut(() -> DevicesCli.run("--coordinator", target, "--keys", keys.toString(), "enroll-token", "--uses", "2")).trim();
            assertThat(token).startsWith("fet_");
            List<ByteDataset> data = Fixtures.partitions(2, 300);
            int[] agentMetrics = new int[2];
            List<ChildJvm> agents = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String id = model + "-d" + i;
                agentMetrics[i] = FreePorts.restartable();
                ChildJvm agent = ChildJvm.start("edge-agent", AgentMain.class.getName(), dir.resolve(id + ".log"),
                        "--set", "device-id=" + id, "--set", "model=" + model, "--set", "coordinator=127.0.0.1:" + grpc,
                        "--set", "mqtt.url=ssl://127.0.0.1:" + mqtt, "--set", "data-dir=" + DeviceData.write(data.get(i), dir.resolve(id)),
                        "--set", "enrollment-token=" + token, "--set", "ca-file=" + keys.resolve("ca").resolve("ca-cert.pem"),
                        "--set", "state-dir=" + dir.resolve(id + "-state"), "--set", "local-api.port=0",
                        "--set", "metrics.port=" + agentMetrics[i], "--set", "telemetry.interval=1s",
                        "--set", "public-key=" + dir.resolve("c").resolve("keys").resolve("signing-key.pub"));
                children.add(agent);
                agents.add(agent);
            }
            for (ChildJvm a : agents) {
                a.await("local predictions on", Duration.ofSeconds(60));
            }
            coordinator.await("(round=1 aggregated 2 updates)", Duration.ofSeconds(90));
            awaitVersion(agentMetrics, 2);

            assertThat(ModelsCli.run("--coordinator", target, "--keys", keys.toString(), "rollback", model)).isZero();
            awaitVersion(agentMetrics, 1);
            assertThat(ModelsCli.run("--coordinator", target, "--keys", keys.toString(), "promote", model, "2")).isZero();
            awaitVersion(agentMetrics, 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> gauge(coordinatorMetrics, "flock_telemetry_reports_total") >= 2);

            for (ChildJvm a : agents) {
                assertThat(a.stop(Duration.ofSeconds(30))).as("SIGTERM ends an agent the JVM's way, 128 + 15").isEqualTo(143);
            }
            assertThat(coordinator.stop(Duration.ofSeconds(30))).isEqualTo(143);
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    /**
     * SIGTERM while a round is open with one of two updates accepted and the other device still training: the
     * coordinator stops in order, the late upload finds it gone and stays in the device's outbox, and after a restart
     * on the same port and database the resumed round gets that update and aggregates both.
     */
    @Test
    void sigtermMidRound_theLateUpdateIsKeptAndDelivered_afterTheRestart() throws Exception {
        String model = Fixtures.unique("sigterm-");
        int grpc = FreePorts.restartable();
        int metrics = FreePorts.restartable();
        String[] settings = {"--set", "security.mode=insecure", "--set", "data-dir=" + dir.resolve("c"), "--set", "mqtt.url=tcp://127.0.0.1:1883", "--set", "grpc.port=" + grpc,
            "--set", "metrics.port=" + metrics, "--set", "http.port=0", "--set", "model.name=" + model,
            "--set", "model.spec=mlp:784-200-10",
            "--set", "round.devices=2", "--set", "round.min-results=2", "--set", "round.min-available=2", "--set", "round.timeout=120s",
            "--set", "training.local-epochs=3", "--set", "training.batch-size=16", "--rounds", "1"};
        List<ChildJvm> children = new ArrayList<>();
        try {
            ChildJvm first = ChildJvm.start("coordinator", CoordinatorMain.class.getName(), dir.resolve("first.log"), settings);
            children.add(first);
            first.await("coordinator on", Duration.ofSeconds(60));
            List<ByteDataset> data = Fixtures.partitions(2, 4000);
            int[] small = new int[100];
            Arrays.setAll(small, k -> k);
            ChildJvm quick = agent(model, "quick", data.get(0).subset(small), grpc, -1);
            ChildJvm slow = agent(model, "slow", data.get(1), grpc, -1);
            children.add(quick);
            children.add(slow);
            await().atMost(Duration.ofSeconds(90)).until(() -> gauge(metrics, "flock_updates_accepted_total{model=\"" + model + "\"}") == 1);
            assertThat(first.stop(Duration.ofSeconds(30))).as("SIGTERM mid-round").isEqualTo(143);
            assertThat(first.output()).doesNotContain("aggregated").contains("coordinator stopped");

            ChildJvm second = ChildJvm.start("coordinator", CoordinatorMain.class.getName(), dir.resolve("second.log"), settings);
            children.add(second);
            second.await("(round=1 resumed after restart with 1 accepted updates)", Duration.ofSeconds(60));
            second.await("(round=1 aggregated 2 updates)", Duration.ofSeconds(90));
            assertThat(slow.output()).as("the slow device's upload was kept through the outage")
                    .contains("not delivered (UNAVAILABLE").doesNotContain("refused update");
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    private ChildJvm agent(String model, String name, ByteDataset data, int grpc, int metricsPort) throws Exception {
        String id = model + "-" + name;
        ChildJvm agent = ChildJvm.start("edge-agent", AgentMain.class.getName(), dir.resolve(id + ".log"),
                "--set", "security.mode=insecure", "--set", "device-id=" + id, "--set", "model=" + model, "--set", "coordinator=127.0.0.1:" + grpc,
                "--set", "mqtt.url=tcp://127.0.0.1:1883", "--set", "data-dir=" + DeviceData.write(data, dir.resolve(id)),
                "--set", "state-dir=" + dir.resolve(id + "-state"), "--set", "local-api.port=0",
                "--set", "metrics.port=" + metricsPort, "--set", "telemetry.interval=1s",
                "--set", "public-key=" + dir.resolve("c").resolve("keys").resolve("signing-key.pub"));
        return agent;
    }

    private static void awaitVersion(int[] agentMetrics, int version) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int port : agentMetrics) {
                if (gauge(port, "flock_agent_model_version") != version) {
                    return false;
                }
            }
            return true;
        });
    }

    /** @return what a CLI printed on stdout, asserting it exited 0 */
    private static String cliOut(java.util.function.IntSupplier cli) {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(cli.getAsInt()).isZero();
        } finally {
            System.setOut(old);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
