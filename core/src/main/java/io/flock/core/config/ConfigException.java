package io.flock.core.config;

import io.flock.core.InvalidInputException;

/** A configuration key with a bad, missing or unknown value. The message names the key and value. */
public class ConfigException extends InvalidInputException {
    /** @param message names the key and the bad value */
    public ConfigException(String message) {
        super(message);
    }
}
