package io.flock.coordinator.round;

/**
 * An update the coordinator accepted and persisted: it survives a restart and is folded into the
 * round's aggregate exactly once.
 *
 * @param model          model name
 * @param round          round number, from 1
 * @param deviceId       sender
 * @param idempotencyKey unique per update; a second upload with it changes nothing
 * @param numExamples    FedAvg weight, > 0
 * @param codec          codec of {@code payload}
 * @param payload        encoded parameter delta (trained minus base)
 * @param receivedMs     when it was accepted, Unix ms
 */
public record AcceptedUpdate(String model, long round, String deviceId, String idempotencyKey, long numExamples,
                             String codec, byte[] payload, long receivedMs) {
}
