package io.flock.link.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.flock.core.artifact.ArtifactVerifier;
import io.flock.core.artifact.Ed25519Signer;
import io.flock.proto.v1.DeviceTask;
import io.flock.proto.v1.TrainTask;

/**
 * Fuzzes {@link TaskMessages#open}, what a device does with every payload on its task topic: bytes the coordinator did
 * not sign are refused as forged, never opened; a signed task opens only for its device before its deadline; nothing
 * else escapes.
 */
class TaskMessagesFuzzTest {
    private static final Ed25519Signer COORDINATOR = Ed25519Signer.ephemeral();
    private static final ArtifactVerifier VERIFIER = new ArtifactVerifier(COORDINATOR.publicKey());

    @FuzzTest(maxDuration = "3s")
    void open_anyPayload_refusedAsForgedOrOpenedOnlyWhenSignedForThisDevice(FuzzedDataProvider data) {
        boolean signed = data.consumeBoolean();
        String device = data.consumeBoolean() ? "d-1" : data.consumeString(12);
        long deadline = data.consumeLong();
        long now = data.consumeLong();
        byte[] payload = signed
                ? TaskMessages.sign(DeviceTask.newBuilder().setTrain(TrainTask.newBuilder().setTaskId(data.consumeString(20))
                        .setDeadlineUnixMs(deadline)).build(), device, COORDINATOR).toByteArray()
                : data.consumeRemainingAsBytes();
        try {
            DeviceTask task = TaskMessages.open(payload, VERIFIER, "d-1", now);
            assertThat(signed).as("only a task the coordinator signed opens").isTrue();
            assertThat(task.getDeviceId()).isEqualTo("d-1");
            assertThat(deadline).isGreaterThan(now);
        } catch (TaskMessages.RefusedException refused) {
            if (!signed) {
                assertThat(refused.refusal()).isEqualTo(TaskMessages.Refusal.FORGED);
            }
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
