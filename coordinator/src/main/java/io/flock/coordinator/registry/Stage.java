package io.flock.coordinator.registry;

import io.flock.core.InvalidInputException;
import java.util.Locale;

/** Where a version stands. A model has at most one PRODUCTION version: the one devices run and serving answers with. */
public enum Stage {
    /** Stored and signed, not served. */
    CANDIDATE,
    /** Reserved for staged rollouts: served to a cohort. */
    CANARY,
    /** Announced to devices and served. */
    PRODUCTION,
    /** A former production version; a rollback can make it production again. */
    ARCHIVED;

    /**
     * @param name a stage name, any case
     * @throws InvalidInputException naming the known stages
     */
    public static Stage parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("unknown stage '" + name + "'; known: candidate, canary, production, archived");
        }
    }
}
