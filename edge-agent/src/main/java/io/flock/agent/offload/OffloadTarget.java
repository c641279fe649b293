package io.flock.agent.offload;

import io.flock.core.model.Prediction;
import java.time.Duration;

/** Where uncertain predictions go: the coordinator's serving model. */
public interface OffloadTarget {
    /**
     * @return the cloud's answer
     * @throws RuntimeException when the cloud is unreachable, late or refuses; the router falls back
     */
    Prediction predict(String model, float[] raw, Duration timeout);
}
