package io.flock.agent.offload;

import io.flock.core.model.Prediction;

/** Decides whether a local answer is good enough or the request should go to the cloud. Thread-safe. */
public interface OffloadPolicy {
    /** Never offloads. */
    OffloadPolicy NEVER = local -> false;

    /** @return true to offload the request that produced {@code local} */
    boolean shouldOffload(Prediction local);
}
