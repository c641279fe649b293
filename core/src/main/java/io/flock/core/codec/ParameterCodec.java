package io.flock.core.codec;

import io.flock.core.tensor.ModelParameters;

/**
 * Turns model parameters (or updates) into bytes and back. Implementations are stateless and
 * thread-safe. Pick one by name with {@link Codecs#byName(String)}.
 */
public interface ParameterCodec {
    /** @return the registered name carried on the wire, e.g. "fp32" or "int8" */
    String name();

    /** @return the encoded bytes; never null */
    byte[] encode(ModelParameters parameters);

    /**
     * @param bytes bytes produced by {@link #encode} of a codec with the same name
     * @return the decoded parameters (lossy codecs return the dequantised values)
     * @throws CodecFormatException when the bytes are malformed, truncated or too large
     */
    default ModelParameters decode(byte[] bytes) {
        return decode(bytes, null);
    }

    /**
     * Decodes bytes that must hold exactly {@code layout}'s tensors (names and shapes, in order): each tensor's
     * declared name and shape are checked before its body is read, and a compressed frame is never inflated past
     * what such a frame can hold. Bytes from outside (a device's update) go through this, so a small upload that
     * claims a huge tensor or inflates to gigabytes is refused before it allocates.
     *
     * @throws CodecFormatException as {@link #decode(byte[])}, and for any other layout
     */
    ModelParameters decode(byte[] bytes, ModelParameters layout);
}
