package io.flock.coordinator.mqtt;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.TaskSender;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.core.FlockException;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Train tasks to each device's task topic (QoS 1), carrying every field of the round's training plan. */
public final class MqttTaskSender implements TaskSender {
    private static final Logger log = LoggerFactory.getLogger(MqttTaskSender.class);
    private final MqttFleetLink link;

    /** @param link the coordinator's broker connection */
    public MqttTaskSender(MqttFleetLink link) {
        this.link = link;
    }

    @Override
    public List<String> sendTrainTasks(RoundRecord round, ModelVersion base, TrainingPlan plan, List<String> devices,
                                       long deadlineUnixMs) {
        List<String> unsent = new ArrayList<>();
        TrainingConfig cfg = TrainingConfig.newBuilder().setOptimizer("sgd")
                .setLearningRate(plan.training().learningRate()).setBatchSize(plan.training().batchSize())
                .setLocalEpochs(plan.training().epochs()).setProximalMu(plan.proximalMu()).setClipNorm(plan.clipNorm())
                .setKeepZeroWeights(base.pushed().pruned()).build();
        for (String d : devices) {
            TrainTask task = TrainTask.newBuilder().setTaskId(RoundEngine.taskId(round.round(), d)).setRound(round.round())
                    .setModel(round.model()).setBaseVersion(base.version()).setBaseSha256(base.manifest().sha256())
                    .setTraining(cfg).setUpdateCodec(CodecDescriptor.newBuilder().setName(plan.updateCodec()))
                    .setDeadlineUnixMs(deadlineUnixMs).setSecureAggregation(plan.secure()).build();
            try {
                link.sendTask(d, DeviceTask.newBuilder().setTrain(task).build());
            } catch (FlockException e) {
                log.warn("round={} task for device={} not sent: {}", round.round(), d, e.getMessage());
                unsent.add(d);
            }
        }
        return unsent;
    }
}
