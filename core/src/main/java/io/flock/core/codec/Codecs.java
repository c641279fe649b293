package io.flock.core.codec;

import io.flock.core.InvalidInputException;
import java.util.List;
import java.util.regex.Pattern;

/** The registry of parameter codecs by wire name. */
public final class Codecs {
    /** Lossless float32 reference codec. */
    public static final ParameterCodec FP32 = new Fp32Codec();
    /** Per-channel int8 + deflate. */
    public static final ParameterCodec INT8 = new Int8Codec();

    private static final Pattern LOW_BIT = Pattern.compile("int([2-7])(-stochastic)?");

    private Codecs() {
    }

    /** @return names accepted by {@link #byName} */
    public static List<String> names() {
        return List.of(Fp32Codec.NAME, Int8Codec.NAME, "int8-per-tensor", "int2..int7", "int2-stochastic..int7-stochastic");
    }

    /**
     * @param name "fp32", "int8" (per channel), "int8-per-tensor", "int2".."int7" (round to nearest) or
     *             "int2-stochastic".."int7-stochastic" ({@link LowBitCodec})
     * @throws InvalidInputException for an unknown name, listing the known ones
     */
    public static ParameterCodec byName(String name) {
        return switch (name) {
            case Fp32Codec.NAME -> FP32;
            case Int8Codec.NAME -> INT8;
            case "int8-per-tensor" -> new Int8Codec(Int8Codec.Granularity.PER_TENSOR);
            default -> lowBit(name);
        };
    }

    private static ParameterCodec lowBit(String name) {
        var m = LOW_BIT.matcher(name);
        if (!m.matches()) {
            throw new InvalidInputException("unknown codec '" + name + "', known: " + names());
        }
        return new LowBitCodec(Integer.parseInt(m.group(1)), m.group(2) != null);
    }
}
