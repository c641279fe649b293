package io.flock.core.codec;

import io.flock.core.InvalidInputException;
import java.util.List;

/** The registry of parameter codecs by wire name. */
public final class Codecs {
    /** Lossless float32 reference codec. */
    public static final ParameterCodec FP32 = new Fp32Codec();
    /** Per-channel int8 + deflate. */
    public static final ParameterCodec INT8 = new Int8Codec();

    private Codecs() {
    }

    /** @return names accepted by {@link #byName} */
    public static List<String> names() {
        return List.of(Fp32Codec.NAME, Int8Codec.NAME, "int8-per-tensor");
    }

    /**
     * @param name "fp32", "int8" (per channel) or "int8-per-tensor"
     * @throws InvalidInputException for an unknown name, listing the known ones
     */
    public static ParameterCodec byName(String name) {
        return switch (name) {
            case Fp32Codec.NAME -> FP32;
            case Int8Codec.NAME -> INT8;
            case "int8-per-tensor" -> new Int8Codec(Int8Codec.Granularity.PER_TENSOR);
            default -> throw new InvalidInputException("unknown codec '" + name + "', known: " + names());
        };
    }
}
