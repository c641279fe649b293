package io.flock.simulator.fleetops;

import io.flock.core.config.ConfigException;
import java.util.Locale;

/**
 * A drift injected into part of the fleet at a chosen window: what its devices see from then on, in serving and in
 * training alike.
 *
 * @param kind      what changes
 * @param atWindow  the serving window it starts with, from 1
 * @param share     the share of the fleet it hits (devices chosen by a hash of their index and the run seed), (0, 1]
 * @param profile   the device profile it hits instead of a share ("" = by share): a part of the fleet its cohort
 *                  (hardware=PROFILE) names
 * @param magnitude brightness: pixels added (0..255); noise: the Gaussian's standard deviation in pixels; rotation:
 *                  quarter turns (1..3); label-shift: how many of the lowest classes the inputs are drawn from; concept:
 *                  how far each true label moves (label + magnitude mod classes)
 */
public record DriftSpec(Kind kind, int atWindow, double share, String profile, double magnitude) {
    /** What a drift changes. */
    public enum Kind {
        /** Covariate: every pixel brighter by {@code magnitude}. */
        BRIGHTNESS,
        /** Covariate: Gaussian pixel noise of standard deviation {@code magnitude}. */
        NOISE,
        /** Covariate: images turned by {@code magnitude} quarter turns. */
        ROTATION,
        /** Label shift: inputs come from the {@code magnitude} lowest classes only. */
        LABEL_SHIFT,
        /** Concept drift: the true label of every input moves by {@code magnitude} classes; inputs are unchanged. */
        CONCEPT;

        /** @return the kind a scenario names (brightness, noise, rotation, label-shift, concept) */
        public static Kind parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("fleetops.drift.kind must be brightness, noise, rotation, label-shift or concept, got '" + name + "'");
            }
        }

        /** @return the scenario spelling */
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Validates the ranges for the kind. */
    public DriftSpec {
        ConfigException.require(atWindow >= 1, "fleetops.drift.atWindow", atWindow);
        ConfigException.require(share > 0 && share <= 1, "fleetops.drift.share", share);
        switch (kind) {
            case BRIGHTNESS, NOISE -> ConfigException.require(magnitude > 0 && magnitude <= 255, "fleetops.drift.magnitude", magnitude);
            case ROTATION -> ConfigException.require(magnitude >= 1 && magnitude <= 3 && magnitude == Math.rint(magnitude),
                    "fleetops.drift.magnitude (quarter turns, 1..3)", magnitude);
            case LABEL_SHIFT, CONCEPT -> ConfigException.require(magnitude >= 1 && magnitude == Math.rint(magnitude),
                    "fleetops.drift.magnitude (whole classes)", magnitude);
            default -> throw new IllegalStateException();
        }
    }

    /**
     * @param profileName the device's profile
     * @return whether device {@code index} of a run with this seed is one the drift hits
     */
    public boolean hits(int index, long seed, String profileName) {
        if (!profile.isEmpty()) {
            return profile.equals(profileName);
        }
        long h = (seed * 0x9E3779B97F4A7C15L) ^ (index * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return ((h >>> 11) * 0x1.0p-53) < share;
    }
}
