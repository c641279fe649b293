package io.flock.coordinator.strategy;

/**
 * FedAdam's server step (Reddi et al. 2021, Algorithm 2): {@code v = beta2 * v + (1 - beta2) * delta^2}, then the
 * shared adaptive step of m over sqrt(v) + tau. State: m and v, two floats per parameter. Not thread-safe.
 */
public final class ServerAdam extends AdaptiveOptimizer {
    static final String KIND = "adam";
    private final float beta2;

    /**
     * @param learningRate server learning rate eta, finite and > 0
     * @param beta1        first-moment decay, in [0, 1)
     * @param beta2        second-moment decay, in [0, 1)
     * @param tau          adaptivity, finite and > 0 (also v's starting value, tau^2)
     */
    public ServerAdam(float learningRate, float beta1, float beta2, float tau) {
        super(KIND, learningRate, beta1, tau);
        requireUnit("beta2", beta2);
        this.beta2 = beta2;
    }

    @Override
    double secondMoment(double v, double deltaSquared) {
        return beta2 * v + (1.0 - beta2) * deltaSquared;
    }
}
