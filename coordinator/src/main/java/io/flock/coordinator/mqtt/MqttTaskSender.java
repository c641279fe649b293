package io.flock.coordinator.mqtt;

import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.TaskSender;
import io.flock.coordinator.store.RoundRecord;
import io.flock.coordinator.strategy.TrainingPlan;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.FlockException;
import io.flock.core.artifact.ArtifactSigner;
import io.flock.link.wire.TaskMessages;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.ModelAnnouncement;
import io.flock.proto.v1.SecureAggregationPlan;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Train tasks to each device's task topic (QoS 1), each signed for the device it is addressed to, carrying every field of the round's training plan; with a teacher,
 * the teacher's current production manifest, so devices compute its soft targets on their own data.
 */
public final class MqttTaskSender implements TaskSender {
    private static final Logger log = LoggerFactory.getLogger(MqttTaskSender.class);
    /** The chunk size a teacher's manifest names; devices fetch a teacher whole over gRPC. */
    private static final int TEACHER_CHUNK_BYTES = 1 << 20;
    private final MqttFleetLink link;
    private final Function<String, ModelVersion> production;
    private final ArtifactSigner signer;

    /**
     * @param link       the coordinator's broker connection
     * @param production a model's production version (a plan's teacher)
     * @param signer     signs each task for the device it is addressed to ({@link TaskMessages})
     */
    public MqttTaskSender(MqttFleetLink link, Function<String, ModelVersion> production, ArtifactSigner signer) {
        this.signer = signer;
        this.link = link;
        this.production = production;
    }

    @Override
    public List<String> sendTrainTasks(RoundRecord round, ModelVersion base, TrainingPlan plan, List<String> devices,
                                       long deadlineUnixMs) {
        List<String> unsent = new ArrayList<>();
        TrainingConfig.Builder cfg = TrainingConfig.newBuilder().setOptimizer("sgd")
                .setLearningRate(plan.training().learningRate()).setBatchSize(plan.training().batchSize())
                .setLocalEpochs(plan.training().epochs()).setProximalMu(plan.proximalMu()).setClipNorm(plan.clipNorm())
                .setNoiseMultiplier(plan.deviceNoise())
                .setKeepZeroWeights(base.pushed().pruned());
        ModelAnnouncement teacher = null;
        if (plan.teacher() != null) {
            cfg.setDistillTemperature(plan.teacher().distillation().temperature()).setDistillAlpha(plan.teacher().distillation().alpha());
            teacher = WireMapper.announcement(production.apply(plan.teacher().model()), TEACHER_CHUNK_BYTES, false);
        }
        for (String d : devices) {
            TrainTask.Builder task = TrainTask.newBuilder().setTaskId(RoundEngine.taskId(round.model(), round.round(), d)).setRound(round.round())
                    .setModel(round.model()).setBaseVersion(base.version()).setBaseSha256(base.manifest().sha256())
                    .setTraining(cfg).setUpdateCodec(CodecDescriptor.newBuilder().setName(plan.updateCodec()))
                    .setDeadlineUnixMs(deadlineUnixMs).setSecureAggregation(plan.secure());
            if (teacher != null) {
                task.setTeacher(teacher);
            }
            if (plan.secure()) {
                task.setSecurePlan(securePlan(plan, round, d));
            }
            try {
                link.sendTask(d, TaskMessages.sign(DeviceTask.newBuilder().setTrain(task).build(), d, signer), deadlineUnixMs);
            } catch (FlockException e) {
                log.warn("round={} task for device={} not sent: {}", round.round(), d, e.getMessage());
                unsent.add(d);
            }
        }
        return unsent;
    }

    /** @return the device's part in a secure round: its index in the round's selection, and the ring encoding */
    private static SecureAggregationPlan securePlan(TrainingPlan plan, RoundRecord round, String device) {
        int n = round.selected().size();
        return SecureAggregationPlan.newBuilder().setParticipantIndex(round.selected().indexOf(device)).setParticipants(n)
                .setNeighbours(plan.secAgg().neighboursFor(n)).setThreshold(plan.secAgg().thresholdFor(n))
                .setClipRange(plan.secureRange()).setUniformWeights(plan.uniformWeights())
                .setMaxExamples(plan.secAgg().maxExamples()).build();
    }
}
