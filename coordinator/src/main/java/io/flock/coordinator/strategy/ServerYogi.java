package io.flock.coordinator.strategy;

/**
 * FedYogi's server step (Reddi et al. 2021, Algorithm 2):
 * {@code v = v - (1 - beta2) * delta^2 * sign(v - delta^2)}, so v moves by an additive step towards delta^2 instead
 * of Adam's multiplicative decay, then the shared adaptive step. v never goes below 0. State: m and v. Not
 * thread-safe.
 */
public final class ServerYogi extends AdaptiveOptimizer {
    static final String KIND = "yogi";
    private final float beta2;

    /**
     * @param learningRate server learning rate eta, finite and > 0
     * @param beta1        first-moment decay, in [0, 1)
     * @param beta2        second-moment step, in [0, 1)
     * @param tau          adaptivity, finite and > 0 (also v's starting value, tau^2)
     */
    public ServerYogi(float learningRate, float beta1, float beta2, float tau) {
        super(KIND, learningRate, beta1, tau);
        requireUnit("beta2", beta2);
        this.beta2 = beta2;
    }

    @Override
    double secondMoment(double v, double deltaSquared) {
        return v - (1.0 - beta2) * deltaSquared * Math.signum(v - deltaSquared);
    }
}
