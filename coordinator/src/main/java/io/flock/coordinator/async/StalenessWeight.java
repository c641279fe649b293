package io.flock.coordinator.async;

import io.flock.core.config.ConfigException;

/**
 * How much a buffered asynchronous update counts given its staleness s (versions published since its base version):
 * a factor in (0, 1], 1 at s = 0 and falling with s. The two rules of the FedBuff literature: {@link #sqrt()},
 * 1/(1+√s) (Nguyen et al. 2022), and {@link #polynomial(double)}, 1/(1+s)^a (Xie et al. 2019, FedAsync's polynomial
 * staleness function; a = 0 weighs every update alike). Stateless and thread-safe.
 */
@FunctionalInterface
public interface StalenessWeight {
    /**
     * @param staleness versions published since the update's base version, >= 0
     * @return its factor, in (0, 1]
     */
    double weight(long staleness);

    /** @return 1/(1+√s) */
    static StalenessWeight sqrt() {
        return s -> 1.0 / (1.0 + Math.sqrt(s));
    }

    /**
     * @param a the exponent, finite and >= 0
     * @return 1/(1+s)^a
     * @throws ConfigException for a negative or non-finite exponent
     */
    static StalenessWeight polynomial(double a) {
        ConfigException.require(a >= 0 && Double.isFinite(a), "async.staleness-exponent", a + " (must be finite and >= 0)");
        return s -> Math.pow(1.0 + s, -a);
    }

    /**
     * @param rule     "sqrt" or "polynomial"
     * @param exponent a, for polynomial
     * @return the rule
     * @throws ConfigException naming the key for an unknown rule
     */
    static StalenessWeight of(String rule, double exponent) {
        return switch (rule) {
            case "sqrt" -> sqrt();
            case "polynomial" -> polynomial(exponent);
            default -> throw new ConfigException("async.staleness must be sqrt or polynomial, got '" + rule + "'");
        };
    }
}
