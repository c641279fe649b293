package io.flock.agent.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.agent.DeviceConditions;
import io.flock.agent.inference.LocalModel;
import io.flock.agent.outbox.Outbox;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused task stops before anything else: the worker has no model updater and no coordinator, so
 * any step past the check (fetching the base, loading data, training, queueing an upload) would show.
 */
class TrainingWorkerTest {
    @TempDir
    Path dir;
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final LocalModel local = new LocalModel();

    @AfterEach
    void close() {
        local.close();
    }

    private static TrainTask task(long round, float mu) {
        return TrainTask.newBuilder().setTaskId("r" + round + "-d1").setRound(round).setModel("m").setBaseVersion(1)
                .setTraining(TrainingConfig.newBuilder().setOptimizer("sgd").setLearningRate(0.1f).setBatchSize(10)
                        .setLocalEpochs(1).setProximalMu(mu))
                .setUpdateCodec(CodecDescriptor.newBuilder().setName("fp32")).build();
    }

    @Test
    void run_unsupportedPlan_reportsOnceTrainsNothingUploadsNothing() throws Exception {
        Path outboxDir = dir.resolve("outbox");
        Outbox outbox = new Outbox(outboxDir, null, null, "d1", DeviceConditions.REAL);
        TrainingWorker worker = new TrainingWorker("d1", Files.createDirectories(dir.resolve("data")), local, null, outbox, 0,
                DeviceConditions.REAL, new PlanCheck(PlanLimits.DEFAULTS), (t, reason) -> reported.add(t.getTaskId() + ": " + reason));

        worker.run(task(3, -0.01f));
        worker.run(task(3, -0.01f)); // redelivered: already answered

        assertThat(reported).containsExactly("r3-d1: proximal_mu=-0.01 must be in [0, 10.0]");
        assertThat(worker.rejections()).isEqualTo(1);
        assertThat(outboxDir).doesNotExist();
        assertThat(local.version()).isZero();
        assertThat(outbox.pending()).isZero();
    }
}
