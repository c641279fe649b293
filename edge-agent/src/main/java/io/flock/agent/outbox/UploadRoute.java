package io.flock.agent.outbox;

import io.flock.proto.v1.UpdateHeader;
import io.flock.proto.v1.UploadReceipt;
import java.time.Duration;

/**
 * Where the outbox delivers an update: the coordinator itself ({@code CoordinatorClient::upload}), or a gateway that
 * pre-aggregates its devices' updates ({@code io.flock.agent.relay.TierAggregator}).
 */
@FunctionalInterface
public interface UploadRoute {
    /**
     * Delivers one update.
     *
     * @return the receipt of whoever took it
     * @throws io.grpc.StatusRuntimeException with the verdict; the outbox retries the transient ones
     */
    UploadReceipt upload(UpdateHeader header, byte[] payload, Duration timeout) throws InterruptedException;
}
