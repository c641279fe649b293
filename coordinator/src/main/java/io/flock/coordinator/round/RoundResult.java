package io.flock.coordinator.round;

import io.flock.core.train.Evaluation;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What one round did. The held-out scores of its version arrive later ({@link #scores()}): the coordinator
 * scores a version while the next round already runs, so the fleet never waits for evaluation.
 *
 * @param round    round number, from 1
 * @param version  the version it produced, or the base version when it failed
 * @param scores   held-out scores of the new version; completes with null when not evaluated
 * @param seconds  wall time from opening to push
 * @param selected devices sent a task
 * @param accepted updates aggregated
 * @param failures selected devices that sent no accepted update by the deadline
 * @param resumed  true when the round was opened before a restart and resumed
 * @param devices  the devices that were sent a task, sorted
 * @param epsilon  differential privacy spent after this round (the model's ε at its δ), NaN without differential privacy
 */
public record RoundResult(long round, long version, CompletableFuture<Evaluation> scores, double seconds, int selected,
                          int accepted, int failures, boolean resumed, List<String> devices, double epsilon) {
    /** A round without differential privacy. */
    public RoundResult(long round, long version, CompletableFuture<Evaluation> scores, double seconds, int selected, int accepted,
                       int failures, boolean resumed, List<String> devices) {
        this(round, version, scores, seconds, selected, accepted, failures, resumed, devices, Double.NaN);
    }

    /** @return held-out accuracy of the new version, waiting for the scoring; NaN when not evaluated or when scoring failed */
    public double accuracy() {
        Evaluation e = awaitScores();
        return e == null ? Double.NaN : e.accuracy();
    }

    /** @return held-out loss of the new version, waiting for the scoring; NaN when not evaluated or when scoring failed */
    public double loss() {
        Evaluation e = awaitScores();
        return e == null ? Double.NaN : e.loss();
    }

    private Evaluation awaitScores() {
        try {
            return scores.join();
        } catch (CompletionException e) {
            return null;
        }
    }
}
