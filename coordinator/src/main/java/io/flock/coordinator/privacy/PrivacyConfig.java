package io.flock.coordinator.privacy;

import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code privacy.*} keys: differential privacy of the model's training and its budget.
 *
 * <p>{@code central} (McMahan et al. 2018, user-level DP): every device clips its update to L2 norm C
 * ({@code training.clip-norm}); the coordinator clips again (a device that lies about its norm cannot widen the
 * sensitivity), sums the updates with equal weights and adds Gaussian noise of standard deviation z·C to the sum, z·C/n
 * on the mean of n updates; a Rényi DP accountant composes the subsampled Gaussian mechanism round by round with the
 * sampling rate q = devices asked / devices available. {@code local}: every device clips and adds the noise itself
 * before upload; the coordinator adds none, and the accountant reports the cost to a device that took part in every
 * round (q = 1 per round: the coordinator knows who took part, so there is no amplification). {@code off}: no noise;
 * clipping alone when {@code training.clip-norm} is set.
 *
 * @param mode            off, central or local
 * @param noiseMultiplier z, the noise's standard deviation over the clip norm; > 0 unless off
 * @param delta           the δ ε is reported at, in (0, 1)
 * @param maxEpsilon      the budget: no round starts that would take ε past it; 0 = no budget
 */
public record PrivacyConfig(Mode mode, double noiseMultiplier, double delta, double maxEpsilon) {
    /** Where the noise is added. */
    public enum Mode { OFF, CENTRAL, LOCAL }

    /** Validates the ranges, naming the key. */
    public PrivacyConfig {
        ConfigException.require(mode == Mode.OFF || (noiseMultiplier > 0 && Double.isFinite(noiseMultiplier)), "privacy.noise-multiplier",
                noiseMultiplier + " (privacy.mode=" + name(mode) + " needs a finite z > 0)");
        ConfigException.require(noiseMultiplier >= 0 && Double.isFinite(noiseMultiplier), "privacy.noise-multiplier", noiseMultiplier);
        ConfigException.require(delta > 0 && delta < 1, "privacy.delta", delta + " (must be in (0, 1))");
        ConfigException.require(maxEpsilon >= 0 && Double.isFinite(maxEpsilon), "privacy.max-epsilon", maxEpsilon + " (0 = no budget)");
    }

    /** @return no differential privacy */
    public static PrivacyConfig off() {
        return new PrivacyConfig(Mode.OFF, 0, 1e-5, 0);
    }

    /** Puts the keys' defaults. */
    public static void defaults(Map<String, String> d) {
        d.put("privacy.mode", "off");
        d.put("privacy.noise-multiplier", "0");
        d.put("privacy.delta", "1e-5");
        d.put("privacy.max-epsilon", "0");
    }

    /** @throws ConfigException naming the first bad key */
    public static PrivacyConfig from(Settings s) {
        return new PrivacyConfig(mode(s.string("privacy.mode")), s.decimal("privacy.noise-multiplier"), s.decimal("privacy.delta"),
                s.decimal("privacy.max-epsilon"));
    }

    /** @return whether rounds are noised (centrally or on the devices) and accounted */
    public boolean enabled() {
        return mode != Mode.OFF;
    }

    /** @return the noise multiplier devices add themselves: z in local mode, else 0 */
    public float deviceNoise() {
        return mode == Mode.LOCAL ? (float) noiseMultiplier : 0f;
    }

    private static Mode mode(String value) {
        try {
            return Mode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("privacy.mode must be off, central or local, got '" + value + "'");
        }
    }

    private static String name(Mode m) {
        return m.name().toLowerCase(Locale.ROOT);
    }
}
