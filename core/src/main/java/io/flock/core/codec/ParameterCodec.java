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
    ModelParameters decode(byte[] bytes);
}
