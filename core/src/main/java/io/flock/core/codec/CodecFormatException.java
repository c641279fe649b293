package io.flock.core.codec;

import io.flock.core.InvalidInputException;

/** Encoded parameters that cannot be decoded: wrong magic, truncated, inconsistent or oversized. */
public class CodecFormatException extends InvalidInputException {
    /** @param message what was wrong with the bytes */
    public CodecFormatException(String message) {
        super(message);
    }
}
