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

    /** Half precision. */
    public static final ParameterCodec FP16 = new Fp16Codec();

    private static final Pattern LOW_BIT = Pattern.compile("int([2-7])(-stochastic)?");
    private static final Pattern SPARSE = Pattern.compile("sparse-int([2-8])");

    private Codecs() {
    }

    /** @return names accepted by {@link #byName} */
    public static List<String> names() {
        return List.of(Fp32Codec.NAME, Fp16Codec.NAME, Int8Codec.NAME, "int8-per-tensor", "int2..int7", "int2-stochastic..int7-stochastic",
                "sparse-int2..sparse-int8");
    }

    /**
     * @param name "fp32", "fp16", "int8" (per channel), "int8-per-tensor", "int2".."int7" (round to nearest),
     *             "int2-stochastic".."int7-stochastic" ({@link LowBitCodec}) or "sparse-int2".."sparse-int8"
     *             ({@link SparseCodec}, for pruned models)
     * @throws InvalidInputException for an unknown name, listing the known ones
     */
    public static ParameterCodec byName(String name) {
        return switch (name) {
            case Fp32Codec.NAME -> FP32;
            case Fp16Codec.NAME -> FP16;
            case Int8Codec.NAME -> INT8;
            case "int8-per-tensor" -> new Int8Codec(Int8Codec.Granularity.PER_TENSOR);
            default -> lowBit(name);
        };
    }

    private static ParameterCodec lowBit(String name) {
        var sparse = SPARSE.matcher(name);
        if (sparse.matches()) {
            return new SparseCodec(Integer.parseInt(sparse.group(1)));
        }
        var m = LOW_BIT.matcher(name);
        if (!m.matches()) {
            throw new InvalidInputException("unknown codec '" + name + "', known: " + names());
        }
        return new LowBitCodec(Integer.parseInt(m.group(1)), m.group(2) != null);
    }
}
