package io.flock.agent.training;

import io.flock.core.config.ConfigException;

/**
 * The largest training plan this device accepts (config section {@code training}).
 *
 * @param maxLocalEpochs largest {@code local_epochs} a task may ask for, at least 1 ({@code training.max-local-epochs})
 * @param maxBatchSize   largest {@code batch_size} a task may ask for, at least 1 ({@code training.max-batch-size})
 */
public record PlanLimits(int maxLocalEpochs, int maxBatchSize) {
    /** The defaults: 20 local epochs, batches of 4,096. */
    public static final PlanLimits DEFAULTS = new PlanLimits(20, 4096);

    /** Validates the bounds, naming the key. */
    public PlanLimits {
        ConfigException.require(maxLocalEpochs >= 1, "training.max-local-epochs", maxLocalEpochs);
        ConfigException.require(maxBatchSize >= 1, "training.max-batch-size", maxBatchSize);
    }
}
