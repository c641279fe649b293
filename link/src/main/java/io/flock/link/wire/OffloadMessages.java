package io.flock.link.wire;

import io.flock.core.InvalidInputException;
import io.flock.core.model.ConfidenceScore;
import io.flock.core.model.OffloadAdvice;

/** The one mapping between {@link OffloadAdvice} and its flock.v1 message, for the coordinator that announces it and the agent that takes it. */
public final class OffloadMessages {
    private OffloadMessages() {
    }

    /** @return the advice as its flock.v1 message */
    public static io.flock.proto.v1.OffloadAdvice message(OffloadAdvice a) {
        return io.flock.proto.v1.OffloadAdvice.newBuilder().setScore(a.score().wireName()).setThreshold(a.threshold())
                .setOffloadRate(a.offloadRate()).setHybridAccuracy(a.hybridAccuracy()).setLocalAccuracy(a.localAccuracy())
                .setCloudAccuracy(a.cloudAccuracy()).setCloudModel(a.cloudModel()).setCloudVersion(a.cloudVersion()).build();
    }

    /**
     * @return the advice a message carries
     * @throws InvalidInputException for an unknown score, a threshold outside the score's range or a share outside 0..1
     */
    public static OffloadAdvice advice(io.flock.proto.v1.OffloadAdvice m) {
        return new OffloadAdvice(ConfidenceScore.parse(m.getScore()), m.getThreshold(), m.getOffloadRate(), m.getHybridAccuracy(),
                m.getLocalAccuracy(), m.getCloudAccuracy(), m.getCloudModel(), m.getCloudVersion());
    }
}
