package io.flock.coordinator.round;

import io.flock.core.DaemonThreads;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores published versions on the held-out set off the round's critical path: one version at a time, in
 * publication order, on its own thread, while the next round already runs. The scores go to the store (the version
 * and the round that produced it) and to the returned future. A failed scoring is logged and completes the future
 * exceptionally; it never fails a round, whose version is already published.
 */
final class VersionScoring implements AutoCloseable {
    /** Where scores go: the version, and the round that produced it. */
    interface Scores {
        void record(String model, long version, long round, double accuracy, double loss);
    }

    private static final Logger log = LoggerFactory.getLogger(VersionScoring.class);
    private final String model;
    private final Scores store;
    private final Function<ModelParameters, Evaluation> evaluator;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(DaemonThreads.named("flock-scoring"));

    /**
     * @param evaluator scores parameters; returns null when there is no held-out set
     */
    VersionScoring(String model, Scores store, Function<ModelParameters, Evaluation> evaluator) {
        this.model = model;
        this.store = store;
        this.evaluator = evaluator;
    }

    /** @return the version's scores, null when not evaluated; queued behind earlier versions */
    CompletableFuture<Evaluation> score(long round, long version, ModelParameters parameters) {
        return CompletableFuture.supplyAsync(() -> {
            Evaluation e = evaluator.apply(parameters);
            if (e != null) {
                store.record(model, version, round, e.accuracy(), e.loss());
                log.info("round={} version={} accuracy={} loss={}", round, version, String.format("%.4f", e.accuracy()),
                        String.format("%.4f", e.loss()));
            }
            return e;
        }, thread).whenComplete((e, failure) -> {
            if (failure != null) {
                log.warn("round={} version={} could not be scored: {}", round, version, failure.toString());
            }
        });
    }

    /** Lets a scoring in progress finish (up to 30 s), then stops. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
