package io.flock.core.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link Fp16Codec} decoding: any bytes decode (and round-trip) or are refused with {@link CodecFormatException}. */
class Fp16CodecFuzzTest {
    private static final List<ParameterCodec> CODECS = List.of(Codecs.FP16);

    static Stream<byte[]> seeds() {
        return CodecFuzzing.seeds(CODECS);
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "3s")
    void decode_anyBytes_decodesOrRefuses(byte[] input) {
        CodecFuzzing.decodeOrRefuse(CODECS, input);
    }
}
