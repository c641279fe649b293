package io.flock.coordinator.intake;

import io.flock.core.InvalidInputException;

/**
 * Longest accepted string fields on the wire, checked before any decoding work. The message names the
 * field and its limit and never echoes the value.
 */
public final class FieldLimits {
    /** Device ids, as the registry and topics accept them. */
    public static final int DEVICE_ID = 128;
    /** Model names. */
    public static final int MODEL = 128;
    /** Hardware labels. */
    public static final int HARDWARE = 128;
    /** Task ids. */
    public static final int TASK_ID = 256;
    /** Idempotency keys. */
    public static final int IDEMPOTENCY_KEY = 256;
    /** Codec names. */
    public static final int CODEC = 64;
    /** Rejection reasons a device reports. */
    public static final int REASON = 1024;
    /** Enrollment tokens. */
    public static final int TOKEN = 1024;

    private static final int ECHO = 64;

    private FieldLimits() {
    }

    /** @return the value, or its first characters when it is long: what an error message may echo of a client's value */
    public static String echo(String value) {
        return value == null || value.length() <= ECHO ? value : value.substring(0, ECHO) + "...";
    }

    /**
     * @param field the wire name of the field, e.g. "idempotency_key"
     * @throws InvalidInputException when the value is longer than {@code max}
     */
    public static String require(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw new InvalidInputException(field + " is " + value.length() + " characters, over its limit of " + max);
        }
        return value;
    }
}
