package io.flock.core.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.Map;

/**
 * DJL's FedProx term (Li et al. 2020): plain SGD on {@code F(w) + (mu / 2) * ||w - w0||^2}. Each update adds
 * {@code mu * (w - w0)}, the term's gradient, to the loss gradient of parameter {@code w} and takes DJL's SGD step on
 * the sum, {@code w -= lr * (g + mu * (w - w0))}. {@code w0} is each parameter's value when this optimizer is made:
 * make it just before training, from the round's base model. Holds a copy of every trainable parameter in native
 * memory until closed. Not thread-safe; one per training.
 */
final class ProximalSgd extends Optimizer implements AutoCloseable {
    private final Optimizer sgd;
    private final float mu;
    private final NDManager manager;
    /** Parameter id (what DJL's parameter server passes to {@link #update}) to its start value. */
    private final Map<String, NDArray> start = new HashMap<>();

    /**
     * Copies the model's trainable parameters as they are now.
     *
     * @param learningRate SGD step size, > 0
     * @param mu           the proximal term's weight, > 0
     */
    ProximalSgd(Model model, float learningRate, float mu) {
        super(new Settings());
        this.sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(learningRate)).build();
        this.mu = mu;
        this.manager = model.getNDManager().newSubManager();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            Parameter parameter = p.getValue();
            if (parameter.requiresGradient()) {
                NDArray w = parameter.getArray();
                start.put(parameter.getId(), manager.create(w.toFloatArray(), w.getShape()));
            }
        }
    }

    /** @throws IllegalStateException for a parameter the model did not have when this optimizer was made */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        NDArray w0 = start.get(parameterId);
        if (w0 == null) {
            throw new IllegalStateException("no start value for parameter " + parameterId);
        }
        // on a detached view of the weight: the term's arithmetic is never recorded for autograd
        try (NDArray w = weight.stopGradient(); NDArray g = w.sub(w0)) {
            g.muli(mu).addi(grad);
            sgd.update(parameterId, weight, g);
        }
    }

    /** Frees the start copies. */
    @Override
    public void close() {
        manager.close();
    }

    /** This optimizer's own settings are DJL's defaults (no rescaling, clipping or weight decay); the SGD step has its own. */
    private static final class Settings extends OptimizerBuilder<Settings> {
        @Override
        protected Settings self() {
            return this;
        }
    }
}
