package io.flock.coordinator.strategy;

/**
 * FedAdagrad's server step (Reddi et al. 2021, Algorithm 2): {@code v = v + delta^2}, then the shared adaptive
 * step. With beta1 = 0 (Flower's choice, and the default here) m is the delta itself. State: m and v. Not
 * thread-safe.
 */
public final class ServerAdagrad extends AdaptiveOptimizer {
    static final String KIND = "adagrad";

    /**
     * @param learningRate server learning rate eta, finite and > 0
     * @param beta1        first-moment decay, in [0, 1)
     * @param tau          adaptivity, finite and > 0 (also v's starting value, tau^2)
     */
    public ServerAdagrad(float learningRate, float beta1, float tau) {
        super(KIND, learningRate, beta1, tau);
    }

    @Override
    double secondMoment(double v, double deltaSquared) {
        return v + deltaSquared;
    }
}
