package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.artifact.ArtifactManifest;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.core.link.Topics;
import io.flock.proto.v1.ArtifactChunk;
import io.flock.proto.v1.ModelAnnouncement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone with access to the broker pushes forged versions and junk chunks. Junk chunks under a genuine announcement
 * make the agent fetch the artifact whole over gRPC instead of rejecting it; forged announcements are rejected with
 * the reason reported, and the last good model keeps serving.
 */
@Timeout(120)
class ArtifactTamperIT {
    @TempDir
    Path dir;

    @Test
    void forgedPushes_rejectedWithReason_junkChunksFetchedOverGrpc_lastGoodModelKeepsServing() throws Exception {
        String model = Fixtures.unique("tamper-");
        try (LocalFleet fleet = new LocalFleet(dir, WireTap.NONE, (id, c) -> c)) {
            // insecure: the attacker plays a compromised broker and publishes pushes (the secure broker's ACL stops that outright,
            // EmbeddedBrokerSecurityIT); here the agent's own checks are what is tested
            CoordinatorServer coordinator = fleet.startCoordinator(Fixtures.coordinator(dir.resolve("c"), "", model, 1,
                    Map.of("security.mode", "insecure")));
            fleet.startAgents(Arrays.asList((io.flock.core.data.ByteDataset) null), coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            EdgeAgent agent = fleet.agents().get(0);
            ModelVersion v1 = coordinator.registry().requireCurrent(model);
            ModelAnnouncement real = WireMapper.announcement(v1, coordinator.config().push().chunkBytes(), true);
            byte[] bytes = coordinator.registry().artifact(v1.manifest().sha256());
            float[] sample = new float[784];
            Arrays.fill(sample, 128f);
            int labelBefore = agent.localModel().predict(sample).orElseThrow().label();

            MqttClient attacker = new MqttClient(coordinator.mqttUrl(), "attacker", new MemoryPersistence());
            attacker.connect();
            try {
                // 1. the genuine bytes under a new version number: the old signature no longer verifies
                push(attacker, model, real.toBuilder().setVersion(3).build(), bytes);
                awaitRejection(agent, "signature does not verify");
                // 2. no signature at all
                push(attacker, model, real.toBuilder().setVersion(4).clearSignature().build(), bytes);
                awaitRejection(agent, "unsigned");
                assertThat(agent.localModel().version()).isEqualTo(1);
                assertThat(agent.localModel().predict(sample).orElseThrow().label()).isEqualTo(labelBefore);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(coordinator.devices().lastRejection(agent.config().deviceId())).contains("unsigned"));
                // 3. a genuinely signed announcement (the coordinator's key, bytes the coordinator holds) whose chunks
                //    carry flipped bits: the bytes assembled from them fail the digest check, so the agent fetches the
                //    artifact whole over gRPC and loads that copy instead of rejecting the version (issue 24)
                byte[] flipped = bytes.clone();
                flipped[flipped.length / 2] ^= 0x55;
                ArtifactManifest m2 = new ArtifactManifest(model, 2, real.getSpec(), real.getCodec().getName(), real.getFeaturePipeline(),
                        real.getSha256(), real.getSizeBytes());
                byte[] signed = Ed25519Signer.loadOrCreate(dir.resolve("c").resolve("keys")).sign(m2);
                push(attacker, model, real.toBuilder().setVersion(2).setSignature(ByteString.copyFrom(signed)).build(), flipped);
                await().atMost(Duration.ofSeconds(15)).until(() -> agent.localModel().version() == 2);
                assertThat(agent.lastRejection()).isEmpty();
            } finally {
                attacker.disconnect();
                attacker.close();
            }

            assertThat(agent.localModel().predict(sample).orElseThrow().label()).as("the same bytes, fetched over gRPC")
                    .isEqualTo(labelBefore);
        }
    }

    private static void push(MqttClient attacker, String model, ModelAnnouncement a, byte[] bytes) throws Exception {
        attacker.publish(Topics.announcement(model), new MqttMessage(a.toByteArray(), 1, false, new MqttProperties()));
        for (ArtifactChunk c : WireMapper.chunks(a.getSha256(), bytes, a.getChunkSizeBytes(), 0)) {
            attacker.publish(Topics.chunks(model), new MqttMessage(c.toBuilder().setData(ByteString.copyFrom(c.getData().toByteArray()))
                    .build().toByteArray(), 1, false, new MqttProperties()));
        }
    }

    private static void awaitRejection(EdgeAgent agent, String reason) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(agent.lastRejection()).contains(reason));
    }
}
