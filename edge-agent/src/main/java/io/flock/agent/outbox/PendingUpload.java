package io.flock.agent.outbox;

import io.flock.proto.v1.UpdateHeader;

/**
 * An update waiting to reach the coordinator.
 *
 * @param header  the update header (its idempotency key makes retries safe)
 * @param payload the encoded delta
 */
public record PendingUpload(UpdateHeader header, byte[] payload) {
}
