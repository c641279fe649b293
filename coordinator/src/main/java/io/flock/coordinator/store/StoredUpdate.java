package io.flock.coordinator.store;

/**
 * An update the coordinator accepted and persisted: it survives a restart and is folded into the
 * round's aggregate exactly once.
 *
 * @param model          model name
 * @param round          round number, from 1
 * @param deviceId       sender
 * @param idempotencyKey unique per device; a second upload with it changes nothing
 * @param numExamples    the update's weight, > 0
 * @param baseVersion    the version it was trained from
 * @param codec          codec of {@code payload}
 * @param payload        encoded parameter delta (trained minus base)
 * @param receivedMs     when it was accepted, Unix ms
 * @param payloadSha256  the payload's SHA-256 (kept after the payload is dropped); null = let the store compute it
 */
public record StoredUpdate(String model, long round, String deviceId, String idempotencyKey, long numExamples,
                           long baseVersion, String codec, byte[] payload, long receivedMs, String payloadSha256) {
    /** An update whose payload digest the store computes. */
    public StoredUpdate(String model, long round, String deviceId, String idempotencyKey, long numExamples, long baseVersion,
                        String codec, byte[] payload, long receivedMs) {
        this(model, round, deviceId, idempotencyKey, numExamples, baseVersion, codec, payload, receivedMs, null);
    }

    /** What storing an update did. */
    public enum Outcome {
        /** Stored now. */
        SAVED,
        /** The device already stored an update under this idempotency key: nothing changed. */
        DUPLICATE,
        /** The device already stored another update for this round: nothing changed. */
        CONFLICT,
        /** Its round is no longer OPEN, or is sealed for closing: nothing changed. */
        ROUND_CLOSED
    }
}
