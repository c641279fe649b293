package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Frames the fuzz targets found or that sit next to what they found: each is refused with {@link CodecFormatException}
 * naming the bad tensor, where it used to escape as another exception. The bytes are the frames before the deflate stage.
 */
class ParameterFrameTest {
    /** An int8 frame (Int8CodecFuzzTest): two tensors, the first with an empty name, rank 0. */
    private static final String EMPTY_NAME = "464c4b50" + "0004696e7438" + "00000002" + "0000" + "00" + "00000000" + "002c";

    /** An int8 frame of two rank-0 float32 tensors both named "b". */
    private static final String REPEATED_NAME = "464c4b50" + "0004696e7438" + "00000002" + "000162" + "00" + "00" + "3f800000"
            + "000162" + "00" + "00" + "3f800000";

    /** An int8 frame whose float32 tensor "b" of 3 values ends after one. */
    private static final String SHORT_FLOAT32 = "464c4b50" + "0004696e7438" + "00000001" + "000162" + "01" + "00000003" + "00" + "0000803f";

    @Test
    void decode_emptyTensorName_isRefusedNamingTheTensor() {
        assertThatThrownBy(() -> Codecs.INT8.decode(deflate(EMPTY_NAME))).isInstanceOf(CodecFormatException.class)
                .hasMessage("tensor 0 has an empty name");
    }

    @Test
    void decode_repeatedTensorName_isRefusedNamingIt() {
        assertThatThrownBy(() -> Codecs.INT8.decode(deflate(REPEATED_NAME))).isInstanceOf(CodecFormatException.class)
                .hasMessage("tensor 1 repeats the name 'b'");
    }

    @Test
    void decode_float32BodyShorterThanItsShape_isRefusedAsTruncated() {
        assertThatThrownBy(() -> Codecs.INT8.decode(deflate(SHORT_FLOAT32))).isInstanceOf(CodecFormatException.class)
                .hasMessage("truncated int8 parameters: tensor b holds 1 of its 3 values");
    }

    private static byte[] deflate(String hex) {
        byte[] frame = HexFormat.of().parseHex(hex);
        Deflater deflater = new Deflater();
        deflater.setInput(frame);
        deflater.finish();
        byte[] out = new byte[frame.length + 64];
        int n = deflater.deflate(out);
        deflater.end();
        return java.util.Arrays.copyOf(out, n);
    }
}
