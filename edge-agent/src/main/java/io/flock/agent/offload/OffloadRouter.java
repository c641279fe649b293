package io.flock.agent.offload;

import io.flock.agent.inference.LocalModel;
import io.flock.core.FlockException;
import io.flock.core.InvalidInputException;
import io.flock.core.model.Prediction;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers an app's prediction: from a pulled batch prediction set when the input is in one (BATCH), else locally, or
 * from the cloud when the policy says the local answer is uncertain or no local model is loaded. When the cloud fails
 * or is late, the local answer is returned as a FALLBACK with the reason. Thread-safe; counts answers by source.
 */
public final class OffloadRouter {
    private final String model;
    private final LocalModel local;
    private final OffloadPolicy policy;
    private final OffloadTarget cloud;
    private final Duration timeout;
    private final BatchLookup batch;
    private final Map<Answer.Source, AtomicLong> counts = new EnumMap<>(Answer.Source.class);
    private final AtomicLong errors = new AtomicLong();
    private volatile LocalAnswers observer = (raw, local) -> "";
    /**
     * Kept back from the cloud's share of the timeout: what a call's deadline takes to cancel it and wake the caller
     * (1-2 ms on loopback, a few more when the cores are shared), so that a late cloud's FALLBACK still comes within
     * the timeout ({@code bin/flock bench fallback}).
     */
    static final Duration WAKE_MARGIN = Duration.ofMillis(3);

    /**
     * A router without batch prediction sets.
     *
     * @param timeout how long the cloud may take before the local answer is used
     */
    public OffloadRouter(String model, LocalModel local, OffloadPolicy policy, OffloadTarget cloud, Duration timeout) {
        this(model, local, policy, cloud, timeout, BatchLookup.NONE);
    }

    /**
     * @param timeout how long an answer may take: the cloud gets what is left of it after the local model, less a few ms
     *                to wake up, before the local answer is used
     * @param batch   precomputed answers, asked first
     */
    public OffloadRouter(String model, LocalModel local, OffloadPolicy policy, OffloadTarget cloud, Duration timeout, BatchLookup batch) {
        this.batch = batch;
        this.model = model;
        this.local = local;
        this.policy = policy;
        this.cloud = cloud;
        this.timeout = timeout;
        for (Answer.Source s : Answer.Source.values()) {
            counts.put(s, new AtomicLong());
        }
    }

    /** Sees every input the local model answered, with its answer, and names it for feedback. */
    @FunctionalInterface
    public interface LocalAnswers {
        /**
         * @param raw   the app's raw input
         * @param local the local model's answer (whoever answers the app in the end)
         * @return the answer's id for feedback, "" for none
         */
        String observed(float[] raw, Prediction local);
    }

    /** Sets who sees the local answers (the window's drift statistics). */
    public void observeLocalAnswers(LocalAnswers o) {
        this.observer = o;
    }

    /**
     * @param raw the app's raw features
     * @throws io.flock.core.InvalidInputException for a wrong feature count or NaN/Inf
     * @throws FlockException when there is no local model and the cloud cannot answer
     */
    public Answer answer(float[] raw) {
        try {
            return route(raw);
        } catch (InvalidInputException e) {
            throw e; // the app's input, not the device's failure
        } catch (FlockException e) {
            errors.incrementAndGet();
            throw e;
        }
    }

    private Answer route(float[] raw) {
        long start = System.nanoTime();
        Optional<Prediction> precomputed = batch.find(raw);
        if (precomputed.isPresent()) {
            return count(new Answer(precomputed.get(), Answer.Source.BATCH, "", ms(start)));
        }
        Optional<Prediction> mine = local.predict(raw);
        String id = mine.isPresent() ? observer.observed(raw, mine.get()) : "";
        if (mine.isPresent() && !policy.shouldOffload(mine.get())) {
            return count(new Answer(mine.get(), Answer.Source.LOCAL, "", ms(start), id));
        }
        try {
            Duration left = timeout.minusNanos(System.nanoTime() - start).minus(WAKE_MARGIN);
            if (left.isNegative() || left.isZero()) {
                throw new FlockException("no time left for the cloud within offload.timeout=" + timeout.toMillis() + "ms");
            }
            return count(new Answer(cloud.predict(model, raw, left), Answer.Source.OFFLOADED, "", ms(start), id));
        } catch (RuntimeException e) {
            if (mine.isEmpty()) {
                throw new FlockException("no local model is loaded and the coordinator did not answer: " + e.getMessage());
            }
            return count(new Answer(mine.get(), Answer.Source.FALLBACK, e.getMessage() == null ? e.toString() : e.getMessage(), ms(start), id));
        }
    }

    /** @return predictions that failed (no local model and no cloud answer) since start */
    public long errors() {
        return errors.get();
    }

    /** @return answers given so far from this source */
    public long count(Answer.Source source) {
        return counts.get(source).get();
    }

    private Answer count(Answer a) {
        counts.get(a.source()).incrementAndGet();
        return a;
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }
}
