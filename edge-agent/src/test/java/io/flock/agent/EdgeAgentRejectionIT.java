package io.flock.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.link.WireTap;
import io.flock.agent.training.PlanLimits;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.link.Topics;
import io.flock.link.wire.TaskMessages;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.Heartbeat;
import io.flock.proto.v1.HeartbeatAck;
import io.flock.proto.v1.RegisterRequest;
import io.flock.proto.v1.RegisterResponse;
import io.flock.proto.v1.TaskRejection;
import io.flock.proto.v1.TaskRejectionAck;
import io.flock.proto.v1.Telemetry;
import io.flock.proto.v1.TelemetryAck;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole agent (the machine's Mosquitto, a stand-in coordinator on real Netty) refusing a task that asks for
 * client-side DP noise: the coordinator hears why over RejectTask, or answers UNIMPLEMENTED as today's does and the
 * agent carries on; either way telemetry and /metrics count the rejection and nothing is uploaded.
 */
class EdgeAgentRejectionIT {
    @TempDir
    Path dir;
    private final List<TaskRejection> rejections = new CopyOnWriteArrayList<>();
    private final List<Telemetry> telemetry = new CopyOnWriteArrayList<>();
    private Server coordinator;
    private EdgeAgent agent;
    /** The coordinator's signing key: the agent trusts tasks it signed. */
    private static final Ed25519Signer COORDINATOR_KEY = Ed25519Signer.ephemeral();

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        coordinator.shutdownNow();
    }

    @Test
    void dpNoiseTask_coordinatorHearsTheReason_telemetryAndMetricsCountIt() throws Exception {
        String id = start(true);

        publishTask(id);

        await().atMost(Duration.ofSeconds(10)).until(() -> !rejections.isEmpty());
        assertThat(rejections.get(0).getReason()).isEqualTo("noise_multiplier=0.8 must be finite and >= 0, and needs a clip_norm");
        assertThat(rejections.get(0).getTaskId()).isEqualTo("r1-" + id);
        assertThat(rejections.get(0).getRound()).isEqualTo(1);
        assertCounted();
    }

    @Test
    void dpNoiseTask_coordinatorWithoutRejectTask_agentCarriesOn() throws Exception {
        String id = start(false);

        publishTask(id);

        assertCounted();
        assertThat(agent.mqttConnected()).isTrue();
    }

    @Test
    void forgedTask_refusedAndReported_nothingTrained() throws Exception {
        String id = start(true);

        publishTask(id, id, Ed25519Signer.ephemeral(), System.currentTimeMillis() + 60_000);

        await().atMost(Duration.ofSeconds(10)).until(() -> !rejections.isEmpty());
        assertThat(rejections.get(0).getReason()).startsWith("refused forged task: task signature does not verify");
        assertThat(agent.taskGate().refused(TaskMessages.Refusal.FORGED)).isEqualTo(1);
        assertThat(dir.resolve("state").resolve("outbox")).doesNotExist();
    }

    @Test
    void anotherDevicesTask_refusedAndReported() throws Exception {
        String id = start(true);

        publishTask(id, "someone-else", COORDINATOR_KEY, System.currentTimeMillis() + 60_000);

        await().atMost(Duration.ofSeconds(10)).until(() -> !rejections.isEmpty());
        assertThat(rejections.get(0).getReason()).startsWith("refused other device task: task is addressed to device 'someone-else'");
        assertThat(agent.taskGate().refused(TaskMessages.Refusal.OTHER_DEVICE)).isEqualTo(1);
    }

    @Test
    void replayedExpiredTask_refusedQuietly_nothingTrained() throws Exception {
        String id = start(true);

        publishTask(id, id, COORDINATOR_KEY, System.currentTimeMillis() - 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> agent.taskGate().refused(TaskMessages.Refusal.EXPIRED) == 1);
        Thread.sleep(300);
        assertThat(rejections).isEmpty();
        assertThat(dir.resolve("state").resolve("outbox")).doesNotExist();
    }

    private void assertCounted() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> telemetry.stream().anyMatch(t -> t.getRejections() == 1));
        assertThat(telemetry.stream().mapToLong(Telemetry::getRejections).sum()).isEqualTo(1); // a window count, sent once
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("flock_agent_rejections_total{kind=\"task\"} 1.0").contains("flock_agent_updates_uploaded_total 0.0");
        assertThat(dir.resolve("state").resolve("outbox")).doesNotExist();
    }

    private String start(boolean implementsRejectTask) throws Exception {
        coordinator = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new Fake(implementsRejectTask)).build().start();
        String id = "rej-" + UUID.randomUUID().toString().substring(0, 8);
        AgentConfig config = new AgentConfig(id, "jvm", "127.0.0.1:" + coordinator.getPort(), "tcp://127.0.0.1:1883", "m",
                Files.createDirectories(dir.resolve("data")), dir.resolve("state"), null, -1, 0.6, Duration.ofMillis(300),
                Duration.ofSeconds(2), false, "", Duration.ofMillis(200), 0, 0, PlanLimits.DEFAULTS);
        agent = new EdgeAgent(config, new ArtifactVerifier(COORDINATOR_KEY.publicKey()), WireTap.NONE).start();
        await().atMost(Duration.ofSeconds(10)).until(agent::mqttConnected);
        return id;
    }

    private static void publishTask(String id) throws Exception {
        publishTask(id, id, COORDINATOR_KEY, System.currentTimeMillis() + 60_000);
    }

    /** Publishes on {@code topicDevice}'s topic a task addressed to {@code addressee}, signed by {@code key}. */
    private static void publishTask(String topicDevice, String addressee, Ed25519Signer key, long deadline) throws Exception {
        String id = topicDevice;
        TrainTask task = TrainTask.newBuilder().setTaskId("r1-" + id).setRound(1).setModel("m").setBaseVersion(1).setDeadlineUnixMs(deadline)
                .setTraining(TrainingConfig.newBuilder().setOptimizer("sgd").setLearningRate(0.1f).setBatchSize(10).setLocalEpochs(1)
                        .setNoiseMultiplier(0.8f))
                .setUpdateCodec(CodecDescriptor.newBuilder().setName("fp32")).build();
        MqttClient client = new MqttClient("tcp://127.0.0.1:1883", id + "-coordinator", new MemoryPersistence());
        client.connect();
        try {
            client.publish(Topics.tasks(id), TaskMessages.sign(DeviceTask.newBuilder().setTrain(task).build(), addressee, key).toByteArray(),
                    1, false);
        } finally {
            client.disconnect();
            client.close();
        }
    }

    private final class Fake extends CoordinatorGrpc.CoordinatorImplBase {
        private final boolean implementsRejectTask;

        Fake(boolean implementsRejectTask) {
            this.implementsRejectTask = implementsRejectTask;
        }

        @Override
        public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
            out.onNext(RegisterResponse.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void sendHeartbeat(Heartbeat request, StreamObserver<HeartbeatAck> out) {
            out.onNext(HeartbeatAck.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void reportTelemetry(Telemetry request, StreamObserver<TelemetryAck> out) {
            telemetry.add(request);
            out.onNext(TelemetryAck.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void rejectTask(TaskRejection request, StreamObserver<TaskRejectionAck> out) {
            if (!implementsRejectTask) {
                super.rejectTask(request, out);
                return;
            }
            rejections.add(request);
            out.onNext(TaskRejectionAck.newBuilder().setRecorded(true).build());
            out.onCompleted();
        }
    }
}
