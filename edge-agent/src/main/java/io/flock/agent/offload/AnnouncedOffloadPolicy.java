package io.flock.agent.offload;

import io.flock.core.model.OffloadAdvice;
import io.flock.core.model.Prediction;
import java.util.Optional;

/**
 * Offloads as the coordinator advises: the score and threshold it calibrated for the announced version on held-out
 * data. Until advice arrives (or when the coordinator calibrates none), a fixed policy decides. Thread-safe: advice
 * is swapped atomically.
 */
public final class AnnouncedOffloadPolicy implements OffloadPolicy {
    private final OffloadPolicy beforeAdvice;
    private volatile OffloadAdvice advice;

    /** @param beforeAdvice the policy used until the first advice */
    public AnnouncedOffloadPolicy(OffloadPolicy beforeAdvice) {
        this.beforeAdvice = beforeAdvice;
    }

    /** Follows {@code a} from now on. */
    public void adopt(OffloadAdvice a) {
        advice = a;
    }

    /** @return the advice followed now, empty before the first */
    public Optional<OffloadAdvice> advice() {
        return Optional.ofNullable(advice);
    }

    @Override
    public boolean shouldOffload(Prediction local) {
        OffloadAdvice a = advice;
        return a == null ? beforeAdvice.shouldOffload(local) : a.offloads(local.probabilities());
    }
}
