package io.flock.agent.training;

import io.flock.agent.DeviceConditions.SecureDrop;
import io.flock.agent.link.CoordinatorClient;
import io.flock.core.artifact.Digests;
import io.flock.core.secagg.KeyAdvertisement;
import io.flock.core.secagg.MaskedVectors;
import io.flock.core.secagg.Reveal;
import io.flock.core.secagg.RingVectors;
import io.flock.core.secagg.SecAggClient;
import io.flock.core.secagg.SecAggParams;
import io.flock.core.secagg.UnmaskRequest;
import io.flock.core.tensor.ModelParameters;
import io.flock.link.wire.SecAggMessages;
import io.flock.proto.v1.CodecDescriptor;
import io.flock.proto.v1.SecAggAwaitUnmask;
import io.flock.proto.v1.SecAggReply;
import io.flock.proto.v1.SecAggRequest;
import io.flock.proto.v1.SecureAggregationInfo;
import io.flock.proto.v1.SecureAggregationPlan;
import io.flock.proto.v1.TrainTask;
import io.flock.proto.v1.UpdateHeader;
import java.security.SecureRandom;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's side of a secure round, after training (SecAgg+; see secagg.proto): advertise keys, share its secrets with
 * its neighbours, upload its update masked in the ring, then reveal what the coordinator needs to unmask the sum. The
 * plain update never leaves the device; the masked upload carries num_examples = 1 (its weight is inside the vector).
 * Runs on the training thread; each stage call waits until the coordinator closes the stage.
 */
final class SecureUpload {
    private static final Logger log = LoggerFactory.getLogger(SecureUpload.class);
    /** How long past the task's deadline a stage call may wait: the later stages' timeouts. */
    private static final Duration STAGE_SLACK = Duration.ofSeconds(60);
    private final String deviceId;
    private final CoordinatorClient coordinator;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param coordinator the device's coordinator client: the stage calls and the masked upload go straight through it,
     *                    not through the outbox (a stage cannot wait in a retry queue; a device that cannot reach the
     *                    coordinator in time is one of the round's dropouts)
     */
    SecureUpload(String deviceId, CoordinatorClient coordinator) {
        this.deviceId = deviceId;
        this.coordinator = coordinator;
    }

    /**
     * Runs the protocol for one trained task.
     *
     * @param delta    the trained update (the plain one: it only leaves the device masked)
     * @param examples the examples it trained on
     * @param drop     where an emulated crash ends the protocol ({@link SecureDrop#NONE} on a real device)
     * @return true when the device took part to the end
     * @throws io.grpc.StatusRuntimeException when the coordinator refuses a stage (the round aborted, or the device was late)
     */
    boolean run(TrainTask task, ModelParameters delta, long examples, SecureDrop drop) throws InterruptedException {
        SecureAggregationPlan p = task.getSecurePlan();
        SecAggParams params = SecAggMessages.params(task.getModel(), task.getRound(), task.getBaseVersion(), p.getParticipants(),
                p.getNeighbours(), p.getThreshold(), RingVectors.length(delta));
        SecAggClient client = new SecAggClient(params, p.getParticipantIndex(), random);
        double weight = p.getUniformWeights() ? 1.0 : Math.min(examples, p.getMaxExamples()) / (double) p.getMaxExamples();
        int[] input = RingVectors.encode(delta, weight, SecAggMessages.quantizer(p));
        CoordinatorClient c = coordinator;
        KeyAdvertisement keys = client.advertise();
        SecAggReply neighbours = c.secureAggregation(request(task).setAdvertise(SecAggMessages.keys(keys)).build(), timeout(task));
        if (drop == SecureDrop.BEFORE_SHARES) {
            return dropped(task, drop);
        }
        SecAggReply shares = c.secureAggregation(request(task).setShare(SecAggMessages.shares(
                client.share(SecAggMessages.neighbours(neighbours.getNeighbours())))).build(), timeout(task));
        int[] masked = client.mask(SecAggMessages.shares(shares.getShares()), input);
        if (drop == SecureDrop.BEFORE_VECTOR) {
            return dropped(task, drop);
        }
        byte[] payload = MaskedVectors.encode(masked);
        UpdateHeader header = UpdateHeader.newBuilder().setDeviceId(deviceId).setTaskId(task.getTaskId()).setRound(task.getRound())
                .setModel(task.getModel()).setBaseVersion(task.getBaseVersion()).setIdempotencyKey(task.getTaskId() + "/" + deviceId + "/masked")
                .setNumExamples(1).setCodec(CodecDescriptor.newBuilder().setName(MaskedVectors.CODEC)).setPayloadBytes(payload.length)
                .setPayloadSha256(Digests.sha256Hex(payload))
                .setSecureAggregation(SecureAggregationInfo.newBuilder().setParticipantIndex(p.getParticipantIndex())).build();
        c.upload(header, payload, timeout(task));
        SecAggReply unmask = c.secureAggregation(request(task).setAwaitUnmask(SecAggAwaitUnmask.getDefaultInstance()).build(), timeout(task));
        if (drop == SecureDrop.BEFORE_REVEAL) {
            return dropped(task, drop);
        }
        UnmaskRequest asked = SecAggMessages.unmask(unmask.getUnmask());
        Reveal reveal = client.unmask(asked.survivors(), asked.dropped());
        c.secureAggregation(request(task).setReveal(SecAggMessages.reveal(reveal)).build(), timeout(task));
        log.info("device={} secure round={}: masked vector sent, {} survivor and {} dropped neighbour shares revealed", deviceId,
                task.getRound(), asked.survivors().size(), asked.dropped().size());
        return true;
    }

    private SecAggRequest.Builder request(TrainTask task) {
        return SecAggRequest.newBuilder().setDeviceId(deviceId).setModel(task.getModel()).setRound(task.getRound()).setTaskId(task.getTaskId());
    }

    private static Duration timeout(TrainTask task) {
        long left = task.getDeadlineUnixMs() - System.currentTimeMillis();
        return STAGE_SLACK.plusMillis(Math.max(0, left));
    }

    private boolean dropped(TrainTask task, SecureDrop drop) {
        log.info("device={} dropped out of secure round={} {} (emulated crash)", deviceId, task.getRound(), drop);
        return false;
    }
}
