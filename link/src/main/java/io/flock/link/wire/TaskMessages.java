package io.flock.link.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flock.core.artifact.ArtifactSigner;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.SignedDeviceTask;

/**
 * Signed tasks: the coordinator signs each {@link DeviceTask} with the key that signs artifacts (domain
 * {@value #DOMAIN}), and a device opens one only when the signature verifies, it names this device, and its deadline is
 * ahead. Which task ids a device has seen is the device's to track.
 */
public final class TaskMessages {
    /** The signature domain of tasks. */
    public static final String DOMAIN = "flock.v1/task";

    private TaskMessages() {
    }

    /** Why a task was refused. */
    public enum Refusal {
        /** The payload is not a signed task, or the signature does not verify: forged or corrupted. */
        FORGED,
        /** The task names another device (copied from its topic). */
        OTHER_DEVICE,
        /** Its deadline has passed (an old task, replayed or retained). */
        EXPIRED
    }

    /** A task a device refuses, with why and, when the payload parsed, the task id it claims. */
    public static final class RefusedException extends Exception {
        private final Refusal refusal;
        private final DeviceTask claimed;

        RefusedException(Refusal refusal, DeviceTask claimed, String message) {
            super(message);
            this.refusal = refusal;
            this.claimed = claimed;
        }

        /** @return why */
        public Refusal refusal() {
            return refusal;
        }

        /** @return the task as it claims to be (unverified), or the default instance when it did not parse */
        public DeviceTask claimed() {
            return claimed;
        }
    }

    /** @return the task, addressed to {@code deviceId}, stamped now and signed */
    public static SignedDeviceTask sign(DeviceTask task, String deviceId, ArtifactSigner signer) {
        byte[] bytes = task.toBuilder().setDeviceId(deviceId).setIssuedUnixMs(System.currentTimeMillis()).build().toByteArray();
        return SignedDeviceTask.newBuilder().setTask(ByteString.copyFrom(bytes))
                .setSignature(ByteString.copyFrom(signer.signMessage(DOMAIN, bytes))).build();
    }

    /**
     * @param payload  what arrived on the device's task topic
     * @param deviceId this device
     * @param nowMs    now
     * @return the verified task
     * @throws RefusedException when the payload is not a signed task for this device that is still due
     */
    public static DeviceTask open(byte[] payload, ArtifactVerifier verifier, String deviceId, long nowMs) throws RefusedException {
        SignedDeviceTask signed;
        DeviceTask task;
        try {
            signed = SignedDeviceTask.parseFrom(payload);
            task = DeviceTask.parseFrom(signed.getTask());
        } catch (InvalidProtocolBufferException e) {
            throw new RefusedException(Refusal.FORGED, DeviceTask.getDefaultInstance(), "task payload does not parse: " + e.getMessage());
        }
        if (!verifier.verifiesMessage(DOMAIN, signed.getTask().toByteArray(), signed.getSignature().toByteArray())) {
            throw new RefusedException(Refusal.FORGED, task, "task signature " + (signed.getSignature().isEmpty() ? "is missing"
                    : "does not verify") + ": not sent by the coordinator");
        }
        if (!deviceId.equals(task.getDeviceId())) {
            throw new RefusedException(Refusal.OTHER_DEVICE, task, "task is addressed to device '" + abbreviated(task.getDeviceId()) + "'");
        }
        long deadline = task.hasTrain() ? task.getTrain().getDeadlineUnixMs() : task.getEvaluate().getDeadlineUnixMs();
        if (deadline <= nowMs) {
            throw new RefusedException(Refusal.EXPIRED, task, "task deadline passed " + (nowMs - deadline) + " ms ago");
        }
        return task;
    }

    /** @return the task id a task claims, "" when none */
    public static String taskId(DeviceTask task) {
        return task.hasTrain() ? task.getTrain().getTaskId() : task.getEvaluate().getTaskId();
    }

    private static String abbreviated(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
