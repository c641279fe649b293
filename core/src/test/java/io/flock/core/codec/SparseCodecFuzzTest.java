package io.flock.core.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link SparseCodec} (bitmap + codes, deflated) decoding: any bytes decode (and round-trip) or are refused with {@link CodecFormatException}. */
class SparseCodecFuzzTest {
    private static final List<ParameterCodec> CODECS = Stream.of("sparse-int2", "sparse-int4", "sparse-int8").map(Codecs::byName).toList();

    static Stream<byte[]> seeds() {
        return CodecFuzzing.seeds(CODECS);
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void decode_anyBytes_decodesOrRefuses(byte[] input) {
        CodecFuzzing.decodeOrRefuse(CODECS, input);
    }
}
