package io.flock.core.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link Int8Codec} (per channel and per tensor) decoding: any bytes decode (and round-trip) or are refused with {@link CodecFormatException}. */
class Int8CodecFuzzTest {
    private static final List<ParameterCodec> CODECS = List.of(Codecs.INT8, Codecs.byName("int8-per-tensor"));

    static Stream<byte[]> seeds() {
        return CodecFuzzing.seeds(CODECS);
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void decode_anyBytes_decodesOrRefuses(byte[] input) {
        CodecFuzzing.decodeOrRefuse(CODECS, input);
    }
}
