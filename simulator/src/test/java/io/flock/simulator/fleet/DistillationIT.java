package io.flock.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Distillation;
import io.flock.core.train.LocalTrainer;
import io.flock.simulator.demo.SampleFinder;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-device distillation in one fleet and one registry: a CNN teacher trained federated by real agents, then a
 * compact MLP student whose train tasks name the teacher. Each agent fetches and verifies the teacher, computes its
 * soft targets on its own data and uploads a student update. A coordinator whose teacher is not in its registry does
 * not start, and says which key to fix. The same registry's teacher answers the student's offloaded predictions
 * (serving.model). Neither a training sample nor a soft-target row crosses the wire.
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

        List<byte[]> wire = Collections.synchronizedList(new ArrayList<>());
        try (LocalFleet fleet = new LocalFleet(dir.resolve("student-fleet"), (channel, outbound, payload) -> wire.add(payload.clone()),
                (id, c) -> c)) {
            CoordinatorServer c = fleet.startCoordinator(Fixtures.coordinator(db, "", student, 2,
                    Map.of("distill.teacher", teacher, "distill.temperature", "3", "distill.alpha", "0.7", "serving.model", teacher)));
            assertThat(c.registry().models()).contains(teacher, student);
            List<ByteDataset> partitions = Fixtures.partitions(2, 200);
            fleet.startAgents(partitions, c.mqttUrl(), c.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));

            RoundResult first = c.rounds().runRound();
            RoundResult second = c.rounds().runRound();

            assertThat(first.accepted()).isEqualTo(2);
            assertThat(second.accepted()).isEqualTo(2);
            for (EdgeAgent a : fleet.agents()) {
                assertThat(distilledTasks(a)).as(a.config().deviceId() + " trained from the teacher's soft targets").isEqualTo(2);
                assertThat(a.localModel().current().orElseThrow().spec().toString()).isEqualTo("mlp:784-64-10");
            }
            float[] raw = new float[784];
            partitions.get(0).copyRawFeatures(0, raw, 0);
            var answer = c.serving().predict(student, raw, Long.MAX_VALUE).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.model()).as("offloads for the student are answered by the cloud model").isEqualTo(teacher);
            assertThat(answer.version()).isEqualTo(c.registry().requireCurrent(teacher).version());
            assertNothingPrivateCrossed(wire, partitions, c.registry().globalParameters(c.registry().requireCurrent(teacher)),
                    ModelSpec.parse(c.registry().requireCurrent(teacher).spec()));
        }
    }

    /** Neither a training sample nor a row of the soft targets the devices computed from them is in any payload. */
    private static void assertNothingPrivateCrossed(List<byte[]> wire, List<ByteDataset> partitions, ModelParameters teacher,
                                                    ModelSpec spec) {
        assertThat(wire).hasSizeGreaterThan(10);
        for (ByteDataset own : partitions) {
            SampleFinder samples = new SampleFinder(own, FeaturePipeline.PIXELS);
            float[] soft;
            try (InferenceModel m = InferenceModel.forDevice(spec, "check")) {
                m.load(teacher);
                soft = LocalTrainer.probabilities(m, own, FeaturePipeline.PIXELS);
            }
            new Distillation(3f, 0.7f).soften(soft, spec.classes());
            SampleFinder targets = SampleFinder.ofFloatRows(soft, spec.classes());
            assertThat(targets.matches(java.util.Arrays.copyOfRange(floatBytes(soft), 40 * 7, 40 * 9))).as("positive control")
                    .isGreaterThanOrEqualTo(1);
            synchronized (wire) {
                for (byte[] p : wire) {
                    assertThat(samples.matches(p)).as("training samples in a payload").isZero();
                    assertThat(targets.matches(p)).as("soft-target rows in a payload").isZero();
                }
            }
        }
    }

    private static byte[] floatBytes(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static double distilledTasks(EdgeAgent a) {
        return a.metrics().registry().scrape().stream().filter(s -> s.getMetadata().getName().equals("flock_agent_distilled_tasks"))
                .map(s -> ((CounterSnapshot) s).getDataPoints().get(0).getValue()).findFirst().orElseThrow();
    }
}
