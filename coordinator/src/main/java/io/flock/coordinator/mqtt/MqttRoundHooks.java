package io.flock.coordinator.mqtt;

import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.HeldOutEvaluator;
import io.flock.coordinator.round.RoundEngine;
import io.flock.coordinator.round.RoundHooks;
import io.flock.coordinator.round.RoundRecord;
import io.flock.coordinator.serving.ModelServing;
import io.flock.coordinator.wire.WireMapper;
import io.flock.core.FlockException;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import io.flock.core.train.TrainingConfig;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.TrainingConfig.Builder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Round hooks over MQTT: train tasks to device topics, pushes as announcement + chunks; serving and evaluation local. */
public final class MqttRoundHooks implements RoundHooks {
    private static final Logger log = LoggerFactory.getLogger(MqttRoundHooks.class);
    private final MqttFleetLink link;
    private final ModelRegistry registry;
    private final ModelServing serving;
    private final HeldOutEvaluator evaluator;
    private final TrainingConfig training;
    private final String updateCodec;
    private final int chunkBytes;
    private final boolean broadcast;

    /**
     * @param evaluator null when no held-out set is configured
     */
    public MqttRoundHooks(MqttFleetLink link, ModelRegistry registry, ModelServing serving, HeldOutEvaluator evaluator,
                          TrainingConfig training, String updateCodec, int chunkBytes, boolean broadcast) {
        this.broadcast = broadcast;
        this.link = link;
        this.registry = registry;
        this.serving = serving;
        this.evaluator = evaluator;
        this.training = training;
        this.updateCodec = updateCodec;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public int sendTrainTasks(RoundRecord round, ModelVersion base, List<String> devices, long deadlineUnixMs) {
        int unsent = 0;
        Builder cfg = io.flock.proto.v1.TrainingConfig.newBuilder().setOptimizer("sgd")
                .setLearningRate(training.learningRate()).setBatchSize(training.batchSize()).setLocalEpochs(training.epochs());
        for (String d : devices) {
            TrainTask task = TrainTask.newBuilder().setTaskId(RoundEngine.taskId(round.round(), d)).setRound(round.round())
                    .setModel(round.model()).setBaseVersion(base.version()).setBaseSha256(base.manifest().sha256())
                    .setTraining(cfg).setUpdateCodec(CodecDescriptor.newBuilder().setName(updateCodec))
                    .setDeadlineUnixMs(deadlineUnixMs).build();
            try {
                link.sendTask(d, DeviceTask.newBuilder().setTrain(task).build());
            } catch (FlockException e) {
                log.warn("round={} task for device={} not sent: {}", round.round(), d, e.getMessage());
                unsent++;
            }
        }
        return unsent;
    }

    @Override
    public Evaluation evaluate(ModelParameters candidate) {
        return evaluator == null ? null : evaluator.evaluate(candidate);
    }

    @Override
    public void push(ModelVersion version, ModelParameters parameters) {
        serving.update(version, parameters);
        // chunks first: a device keeps chunks that come before their announcement, so when the
        // announcement arrives it has the artifact and loads at once. Announcing first started every
        // device's chunk-wait clock while a broker fanning the chunks out to 1,000 sessions was still
        // busy, and most devices fetched the artifact a second time over gRPC.
        if (broadcast) {
            link.publishChunks(version.model(), WireMapper.chunks(version.manifest().sha256(),
                    registry.artifact(version.manifest().sha256()), chunkBytes, 0));
        }
        link.announce(WireMapper.announcement(version, chunkBytes, broadcast));
    }
}
