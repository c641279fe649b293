package io.flock.coordinator.intake;

/**
 * An update as it arrives, before validation.
 *
 * @param deviceId       sender, must be registered
 * @param model          the model it claims to train
 * @param taskId         the task it answers
 * @param round          the round it claims
 * @param baseVersion    the version it trained from
 * @param idempotencyKey scoped to the device: a second upload with the same key changes nothing
 * @param numExamples    its weight, must be > 0
 * @param codec          codec name of the payload
 * @param payload        encoded parameter delta
 * @param payloadSha256  the payload's SHA-256 when the transport already checked it, else null (the store computes it)
 * @param contributions  empty for a device's own update; for a gateway's pre-aggregated update (deviceId = the gateway,
 *                       taskId empty, numExamples = their total, payload = their weighted mean) the devices it averages
 */
public record UpdateSubmission(String deviceId, String model, String taskId, long round, long baseVersion, String idempotencyKey,
                               long numExamples, String codec, byte[] payload, String payloadSha256,
                               java.util.List<Contribution> contributions) {
    /** Copies the contributions; null = none. */
    public UpdateSubmission {
        contributions = contributions == null ? java.util.List.of() : java.util.List.copyOf(contributions);
    }

    /** A device's own update (no contributions). */
    public UpdateSubmission(String deviceId, String model, String taskId, long round, long baseVersion, String idempotencyKey,
                            long numExamples, String codec, byte[] payload, String payloadSha256) {
        this(deviceId, model, taskId, round, baseVersion, idempotencyKey, numExamples, codec, payload, payloadSha256, null);
    }

    /** @return whether this is a gateway's pre-aggregated update (tiered aggregation) */
    public boolean tiered() {
        return !contributions.isEmpty();
    }

    /** @return whether the payload is a secure round's masked vector (its own decoder, no float checks) */
    public boolean masked() {
        return io.flock.core.secagg.MaskedVectors.CODEC.equals(codec);
    }

    /** A submission whose payload digest nobody computed yet. */
    public UpdateSubmission(String deviceId, String model, String taskId, long round, long baseVersion, String idempotencyKey,
                            long numExamples, String codec, byte[] payload) {
        this(deviceId, model, taskId, round, baseVersion, idempotencyKey, numExamples, codec, payload, null);
    }
}
