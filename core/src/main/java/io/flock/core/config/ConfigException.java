package io.flock.core.config;

import io.flock.core.InvalidInputException;

/** A configuration key with a bad, missing or unknown value. The message names the key and value. */
public class ConfigException extends InvalidInputException {
    /** @param message names the key and the bad value */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * Builds a config record from settings; any parse or validation error becomes a ConfigException.
     *
     * @return what {@code build} returns
     */
    public static <T> T wrap(java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * As {@link #wrap(java.util.function.Supplier)}, naming the key: "invalid KEY: what was wrong".
     */
    public static <T> T wrap(String key, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (RuntimeException e) {
            throw new ConfigException("invalid " + key + ": " + e.getMessage());
        }
    }

    /**
     * The check every config record's compact constructor makes.
     *
     * @throws ConfigException "invalid KEY: VALUE" when {@code ok} is false
     */
    public static void require(boolean ok, String key, Object value) {
        if (!ok) {
            throw new ConfigException("invalid " + key + ": " + value);
        }
    }
}
