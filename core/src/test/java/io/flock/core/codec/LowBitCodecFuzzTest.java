package io.flock.core.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link LowBitCodec} (int2..int7, nearest and stochastic) decoding: any bytes decode (and round-trip) or are refused with {@link CodecFormatException}. */
class LowBitCodecFuzzTest {
    private static final List<ParameterCodec> CODECS = Stream.of("int2", "int3", "int4", "int5", "int6", "int7", "int4-stochastic", "int7-stochastic").map(Codecs::byName).toList();

    static Stream<byte[]> seeds() {
        return CodecFuzzing.seeds(CODECS);
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void decode_anyBytes_decodesOrRefuses(byte[] input) {
        CodecFuzzing.decodeOrRefuse(CODECS, input);
    }
}
