package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.coordinator.CoordinatorMain;
import io.flock.coordinator.cli.ModelsCli;
import io.flock.coordinator.store.JdbcFlockStore;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.store.StoredUpdate;
import io.flock.coordinator.store.TelemetryRow;
import io.flock.core.codec.Codecs;
import io.flock.core.link.Topics;
import io.flock.core.net.FreePorts;
import io.flock.core.tensor.ModelParameters;
import io.flock.proto.v1.AdminGrpc;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.DeviceInfo;
import io.flock.proto.v1.GetCurrentModelRequest;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.ListVersionsRequest;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.UploadReceipt;
import io.flock.proto.v1.VersionInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator daemon through its own entry point, as a child process on the coordinator module's classpath,
 * against Mosquitto on 127.0.0.1:1883: SIGKILL mid-round and a restart that resumes the round with the updates it
 * had accepted; {@code /metrics} scraped and parsed while uploads are refused; the admin CLI; bad reports refused.
 */
@Timeout(240)
class CoordinatorDaemonIT {
    private static final String MOSQUITTO = "tcp://127.0.0.1:1883";
    @TempDir
    Path dir;

    private ChildJvm coordinator(String model, int grpc, int metrics, String log) throws Exception {
        ChildJvm c = ChildJvm.start("coordinator", CoordinatorMain.class.getName(), dir.resolve(log),
                "--set", "security.mode=insecure", "--set", "data-dir=" + dir.resolve("c"), "--set", "mqtt.url=" + MOSQUITTO, "--set", "grpc.port=" + grpc,
                "--set", "metrics.port=" + metrics, "--set", "http.port=0", "--set", "model.name=" + model,
                "--set", "model.spec=mlp:784-16-10",
                "--set", "round.devices=3", "--set", "round.min-results=3", "--set", "round.min-available=3", "--set", "round.timeout=120s");
        c.await("coordinator on .*:(\\d+),", Duration.ofSeconds(60));
        return c;
    }

    /** Registers the devices over gRPC and marks them online the way agents do (retained status on MQTT). */
    private static void bringOnline(int grpc, List<String> devices, MqttClient mqtt) throws Exception {
        try (RawDevice raw = new RawDevice(grpc)) {
            var stub = CoordinatorGrpc.newBlockingStub(raw.channel);
            for (String d : devices) {
                stub.register(RegisterRequest.newBuilder().setDevice(DeviceInfo.newBuilder().setDeviceId(d).setHardware("it")).build());
                mqtt.publish(Topics.status(d), new MqttMessage(Topics.ONLINE.getBytes(StandardCharsets.UTF_8), 1, true, null));
            }
        }
    }

    private static Map<String, Double> scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> out = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    private static ModelParameters global(int grpc, String device, String model) throws Exception {
        try (RawDevice raw = new RawDevice(grpc)) {
            var a = CoordinatorGrpc.newBlockingStub(raw.channel).getCurrentModel(GetCurrentModelRequest.newBuilder().setDeviceId(device)
                    .setModel(model).build());
            var chunks = CoordinatorGrpc.newBlockingStub(raw.channel).fetchArtifact(io.flock.proto.v1.FetchArtifactRequest.newBuilder()
                    .setDeviceId(device).setSha256(a.getSha256()).build());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            chunks.forEachRemaining(c -> bytes.writeBytes(c.getData().toByteArray()));
            return Codecs.byName(a.getCodec().getName()).decode(bytes.toByteArray());
        }
    }

    @Test
    void sigkillMidRound_restartResumesWithTheAcceptedUpdates_andMetricsCountEachReason() throws Exception {
        sigkillMidRound(Fixtures.unique("daemon-"));
    }

    /**
     * The same on a database with history, where the loss was first seen: 1,000 rounds of another model whose update
     * payloads were all kept (as a database written before payloads were dropped holds them), with their telemetry.
     */
    @Test
    void sigkillMidRound_onADatabaseWithHistory_restartResumesWithTheAcceptedUpdates() throws Exception {
        String model = Fixtures.unique("history-");
        long bytes = writeHistory(model + "-old", 1000);
        assertThat(bytes).as("the history's H2 file").isGreaterThan(150L << 20);
        sigkillMidRound(model);
    }

    /** @return the H2 file's size after writing {@code rounds} closed rounds of {@code model} into the daemon's database */
    private long writeHistory(String model, int rounds) {
        JdbcFlockStore store = new JdbcFlockStore("jdbc:h2:file:" + dir.resolve("c").toAbsolutePath().resolve("flock"));
        try {
            byte[] payload = new byte[64 << 10];
            Random random = new Random(7);
            List<String> fleet = List.of(model + "-a", model + "-b", model + "-c");
            fleet.forEach(d -> store.upsertDevice(d, "history", 1));
            for (int r = 1; r <= rounds; r++) {
                store.openRound(new RoundRecord(model, r, r - 1, fleet, RoundRecord.OPEN, r));
                for (String d : fleet) {
                    random.nextBytes(payload);
                    store.saveUpdate(new StoredUpdate(model, r, d, d + "-" + r, 10, r - 1, "int8", payload.clone(), r));
                    store.saveTelemetry(new TelemetryRow(d, model, r, r - 1, 5, 1, 0, 1.5, 3.0, 0, 0));
                }
                store.finishRound(model, r, RoundRecord.CLOSED, fleet.size(), Double.NaN);
            }
            return store.sizeBytes();
        } finally {
            store.close();
        }
    }

    private void sigkillMidRound(String model) throws Exception {
        List<String> devices = List.of(model + "-a", model + "-b", model + "-c");
        int grpc = FreePorts.restartable();
        int metrics = FreePorts.restartable();
        MqttClient mqtt = new MqttClient(MOSQUITTO, model + "-it", new MemoryPersistence());
        mqtt.connect();
        try {
            ModelParameters layout;
            try (ChildJvm first = coordinator(model, grpc, metrics, "first.log")) {
                bringOnline(grpc, devices, mqtt);
                first.await("(round=1 sampled 3 of 3)", Duration.ofSeconds(30));
                layout = global(grpc, devices.get(0), model);
                try (RawDevice raw = new RawDevice(grpc)) {
                    UploadReceipt a = raw.upload(RawDevice.header(model, devices.get(0), 1, 1, 10).build(), RawDevice.filled(layout, 0.01f));
                    assertThat(a.getOutcome()).isEqualTo(UploadReceipt.Outcome.ACCEPTED);
                    ModelParameters nan = RawDevice.filled(layout, 0f);
                    nan.tensors().get(0).data()[3] = Float.NaN;
                    assertThatThrownBy(() -> raw.upload(RawDevice.header(model, devices.get(2), 1, 1, 10).build(), nan))
                            .isInstanceOfSatisfying(StatusRuntimeException.class,
                                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
                    assertThatThrownBy(() -> raw.upload(RawDevice.header(model, devices.get(2), 1, 7, 10).build(), layout))
                            .isInstanceOfSatisfying(StatusRuntimeException.class,
                                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
                    assertThatThrownBy(() -> raw.upload(RawDevice.header(model, devices.get(0), 1, 1, 10).setIdempotencyKey("other").build(),
                            layout)).isInstanceOfSatisfying(StatusRuntimeException.class,
                                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
                    Map<String, Double> m = scrape(metrics);
                    assertThat(m).containsEntry("flock_updates_accepted_total{model=\"" + model + "\"}", 1.0)
                            .containsEntry("flock_updates_rejected_total{reason=\"invalid\"}", 1.0)
                            .containsEntry("flock_updates_rejected_total{reason=\"stale_base\"}", 1.0)
                            .containsEntry("flock_updates_rejected_total{reason=\"second_update\"}", 1.0)
                            .containsEntry("flock_devices_online", 3.0)
                            .containsEntry("flock_model_versions{model=\"" + model + "\",stage=\"production\"}", 1.0);
                    UploadReceipt b = raw.upload(RawDevice.header(model, devices.get(1), 1, 1, 10).build(), RawDevice.filled(layout, 0.01f));
                    assertThat(b.getAcceptedInRound()).isEqualTo(2);
                }
                first.kill(); // at once: the acknowledgement of b's update is all the coordinator had time for
            }
            try (ChildJvm second = coordinator(model, grpc, metrics, "second.log")) {
                second.await("(round=1 resumed after restart with 2 accepted updates)", Duration.ofSeconds(30));
                try (RawDevice raw = new RawDevice(grpc)) {
                    UploadReceipt r = raw.upload(RawDevice.header(model, devices.get(2), 1, 1, 10).build(), RawDevice.filled(layout, 0.01f));
                    assertThat(r.getAcceptedInRound()).as("the two accepted before SIGKILL, and this one").isEqualTo(3);
                }
                second.await("(round=1 aggregated 3 updates)", Duration.ofSeconds(30));
                assertThat(second.stop(Duration.ofSeconds(30))).as("SIGTERM: the JVM's exit code for it, 128 + 15").isEqualTo(143);
                assertThat(second.output()).as("the shutdown hook ran in order").contains("training schedule stopped")
                        .contains("coordinator stopped").doesNotContain("Database is already closed");
            }
        } finally {
            forget(mqtt, devices);
        }
    }

    /** Clears the retained statuses the test left on the shared broker. */
    private static void forget(MqttClient mqtt, List<String> devices) throws Exception {
        for (String d : devices) {
            mqtt.publish(Topics.status(d), new MqttMessage(new byte[0], 1, true, null));
        }
        mqtt.disconnect();
        mqtt.close();
    }

    @Test
    void adminCli_listsPromotesAndRollsBack_andHostileReportsChangeNothing() throws Exception {
        String model = Fixtures.unique("admin-");
        String device = model + "-a";
        int grpc = FreePorts.restartable();
        MqttClient mqtt = new MqttClient(MOSQUITTO, model + "-it", new MemoryPersistence());
        mqtt.connect();
        try (ChildJvm c = ChildJvm.start("coordinator", CoordinatorMain.class.getName(), dir.resolve("admin.log"),
                "--set", "security.mode=insecure", "--set", "data-dir=" + dir.resolve("a"), "--set", "mqtt.url=" + MOSQUITTO, "--set", "grpc.port=" + grpc,
                "--set", "metrics.port=-1", "--set", "http.port=-1", "--set", "model.name=" + model, "--set", "model.spec=mlp:784-16-10",
                "--set", "schedule.mode=manual", "--set", "registry.variants=fp32", "--set", "round.devices=1",
                "--set", "round.min-results=1")) {
            c.await("coordinator on", Duration.ofSeconds(60));
            bringOnline(grpc, List.of(device), mqtt);
            String target = "127.0.0.1:" + grpc;

            assertThat(cli("--coordinator", target, "--insecure", "list")).contains(model).contains("mlp:784-16-10");
            assertThat(cli("--coordinator", target, "--insecure", "versions", model)).contains("production").contains("int8*").contains("fp32:");
            assertThat(cliExit("--coordinator", target, "--insecure", "promote", model, "9")).isEqualTo(2);
            assertThat(cliErr).contains("NOT_FOUND").contains("no version 9");
            assertThat(cliExit("--coordinator", target, "--insecure", "rollback", model)).isEqualTo(2);
            assertThat(cliErr).contains("NOT_FOUND").contains("no earlier production version");
            assertThat(cliExit("--coordinator", target, "--insecure", "promote", "nope", "1")).isEqualTo(2);
            assertThat(cliExit("--coordinator", target, "--insecure", "promote", model, "1", "--stage", "golden")).isEqualTo(2);
            assertThat(cli("--coordinator", target, "--insecure", "promote", model, "1")).as("the stage it has: a no-op").contains("production");
            assertThat(cliExit("--coordinator", target, "--insecure", "train", model, "--rounds", "0")).isEqualTo(2);
            assertThat(cliErr).contains("INVALID_ARGUMENT").contains("rounds must be 1..1000");
            assertThat(cli("--coordinator", target, "--insecure", "train", model)).contains("rounds waiting to start");
            c.await("(round=1 sampled 1 of 1)", Duration.ofSeconds(30));

            try (RawDevice raw = new RawDevice(grpc)) {
                var stub = CoordinatorGrpc.newBlockingStub(raw.channel);
                expect(() -> stub.sendHeartbeat(Heartbeat.newBuilder().setDeviceId(device).setModel(model).setRunningVersion(-1).build()),
                        Status.Code.INVALID_ARGUMENT, "running_version");
                expect(() -> stub.sendHeartbeat(Heartbeat.newBuilder().setDeviceId(device).setModel(model).setRunningVersion(5).build()),
                        Status.Code.INVALID_ARGUMENT, "no version 5");
                expect(() -> stub.reportTelemetry(Telemetry.newBuilder().setDeviceId(device).setModel("other").build()),
                        Status.Code.INVALID_ARGUMENT, "does not hold");
                expect(() -> stub.reportTelemetry(Telemetry.newBuilder().setDeviceId(device).setModel(model).setLocalPredictions(-3).build()),
                        Status.Code.INVALID_ARGUMENT, "local_predictions");
                expect(() -> stub.register(RegisterRequest.newBuilder().setDevice(DeviceInfo.newBuilder().setDeviceId(model + "-z")
                        .setHardware("h".repeat(129))).build()), Status.Code.INVALID_ARGUMENT, "hardware is 129 characters, over its limit of 128");
                stub.reportTelemetry(Telemetry.newBuilder().setDeviceId(device).setModel(model).setRunningVersion(1).setLocalPredictions(4)
                        .build());
                var admin = AdminGrpc.newBlockingStub(raw.channel);
                List<VersionInfo> versions = admin.listVersions(ListVersionsRequest.newBuilder().setModel(model).build()).getVersionsList();
                assertThat(versions).hasSize(1);
            }
        } finally {
            forget(mqtt, List.of(device));
        }
    }

    private String cliErr = "";

    private String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(runCli(out, args)).as("exit code; stderr: %s", cliErr).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private int cliExit(String... args) {
        return runCli(new ByteArrayOutputStream(), args);
    }

    private int runCli(ByteArrayOutputStream out, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return ModelsCli.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            cliErr = err.toString(StandardCharsets.UTF_8);
        }
    }

    private static void expect(Runnable call, Status.Code code, String text) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(text);
        });
    }
}
