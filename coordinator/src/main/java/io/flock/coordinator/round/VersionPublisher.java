package io.flock.coordinator.round;

import io.flock.coordinator.registry.Candidate;
import io.flock.coordinator.registry.ModelRegistry;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.registry.Stage;
import io.flock.coordinator.store.FlockStore;
import io.flock.coordinator.strategy.AggregatedUpdate;
import io.flock.coordinator.strategy.ServerOptimizer;
import io.flock.coordinator.strategy.Strategy;
import io.flock.core.InvalidInputException;
import io.flock.core.compress.Pruning;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.Evaluation;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every training engine: the strategy's server optimizer turns a combined update into the next
 * parameters (pruned weights stay zero), the registry publishes them as a version and promotes it to production unless an
 * operator moved production meanwhile, and the version is scored on the held-out set in the background. Thread-safe for
 * one engine (one publication at a time).
 */
public final class VersionPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VersionPublisher.class);
    private final RoundPlan plan;
    private final FlockStore store;
    private final ModelRegistry registry;
    private final Strategy strategy;
    private final VersionScoring scoring;

    /**
     * What a publication gave.
     *
     * @param version the new version, null when the server step failed
     * @param failure why no version was published, null when one was
     * @param scores  its held-out scores (completes with null without a held-out set, or on failure)
     */
    public record Outcome(ModelVersion version, String failure, CompletableFuture<Evaluation> scores) {
    }

    /**
     * @param evaluator held-out scores of parameters, null when there is no held-out set
     */
    public VersionPublisher(RoundPlan plan, FlockStore store, ModelRegistry registry, Strategy strategy,
                            Function<ModelParameters, Evaluation> evaluator) {
        this.plan = plan;
        this.store = store;
        this.registry = registry;
        this.strategy = strategy;
        this.scoring = new VersionScoring(plan.model(), registry::recordScores, evaluator == null ? p -> null : evaluator);
    }

    /**
     * Steps, publishes and promotes.
     *
     * @param current  the version the update was computed against (its optimizer state is restored)
     * @param combined the aggregate
     * @param round    the round (or asynchronous window) recorded on the version
     * @return the version, or why none: a server step that gives a non-finite value publishes nothing
     */
    public Outcome publish(ModelVersion current, AggregatedUpdate combined, long round) {
        ModelParameters base = registry.globalParameters(current);
        ServerOptimizer optimizer = strategy.optimizers().get();
        optimizer.restore(current.optimizerState());
        ModelParameters next = optimizer.step(base, combined);
        if (current.pushed().pruned()) {
            Pruning.applyMask(next, base); // pruned weights stay zero after aggregation
        }
        try {
            next.requireFinite();
        } catch (InvalidInputException e) {
            return new Outcome(null, "the server step gave " + e.getMessage(), CompletableFuture.completedFuture(null));
        }
        ModelVersion v = registry.publish(plan.model(), new Candidate(plan.spec(), plan.pipeline(), next, null, round, optimizer.state()));
        promoteUnlessMoved(current, v);
        return new Outcome(v, null, scoring.score(round, v.version(), next));
    }

    /** Promotes the new version unless an operator changed production since {@code base} (a rollback wins). */
    private void promoteUnlessMoved(ModelVersion base, ModelVersion v) {
        long production = store.productionVersion(plan.model());
        if (production != base.version()) {
            log.warn("round version={} kept as candidate: production moved to version={} during the round", v.version(), production);
            return;
        }
        registry.promote(plan.model(), v.version(), Stage.PRODUCTION);
    }

    /** Waits briefly for the scoring of the last version, then stops scoring. */
    @Override
    public void close() {
        scoring.close();
    }
}
