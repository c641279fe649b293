package io.flock.coordinator.strategy;

import io.flock.core.tensor.ModelParameters;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A federated strategy, built from parts rather than subclasses: who trains ({@link ClientSelector}), what
 * they are asked to do (the configure step, {@link #configure}), how their updates combine
 * ({@link Aggregator}) and how the combination moves the global model ({@link ServerOptimizer}). Privacy and
 * robustness wrap these parts. Thread-safe: every round gets fresh aggregator and optimizer instances.
 *
 * @param name        short name for logs and reports, e.g. "fedavg"
 * @param selector    device selection
 * @param plan        the training plan every round sends
 * @param aggregators a new aggregator for a round, given the base model's layout
 * @param optimizers  a new server optimizer (its state is restored from the base version)
 */
public record Strategy(String name, ClientSelector selector, TrainingPlan plan, Function<ModelParameters, Aggregator> aggregators,
                       Supplier<ServerOptimizer> optimizers) {
    /** @return the plan of a round (the same every round for the strategies so far) */
    public TrainingPlan configure(long round) {
        return plan;
    }

    /** @return this strategy with another aggregation rule (e.g. wrapped for differential privacy), labelled {@code name} */
    public Strategy withAggregators(String label, Function<ModelParameters, Aggregator> rule) {
        return new Strategy(label, selector, plan, rule, optimizers);
    }

    /** @return FedAvg (McMahan et al. 2017): uniform selection, a weighted mean of the deltas, a server step of lr */
    public static Strategy fedAvg(TrainingPlan plan, float serverLearningRate) {
        return new Strategy("fedavg", ClientSelector.UNIFORM, plan, WeightedMean::new, () -> new ServerSgd(serverLearningRate));
    }
}
