package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The contract every codec's fuzz target checks: any bytes decode to parameters that re-encode and decode to the same
 * layout and (within the codec's rounding) the same values, or are refused with {@link CodecFormatException}; never
 * another exception, an allocation by an unchecked size field, or a hang.
 *
 * <p>An input's first byte picks the mode: bit 0 deflates the rest first (so the fuzzer can reach the frame inside a
 * compressed codec's stream), bit 1 decodes against {@link #LAYOUT} as the coordinator's intake does.
 */
final class CodecFuzzing {
    /** The layout an update must match in layout mode: a 3x4 weight and a bias. */
    static final ModelParameters LAYOUT = new ModelParameters(List.of(
            new Tensor("w", new int[] {3, 4}, new float[] {0.5f, -1f, 0f, 0.25f, 2f, 0f, 0f, -0.125f, 1f, 1f, -3f, 0.75f}),
            new Tensor("b", new int[] {3}, new float[] {0.1f, 0f, -0.2f})));
    private static final Pattern BITS = Pattern.compile("int(\\d)");
    private static final int DEFLATE = 1;
    private static final int AGAINST_LAYOUT = 2;

    private CodecFuzzing() {
    }

    /**
     * Decodes with one of {@code codecs}, picked by the mode byte's upper bits.
     */
    static void decodeOrRefuse(List<ParameterCodec> codecs, byte[] input) {
        if (input.length == 0) {
            refused(codecs.get(0), input, null);
            return;
        }
        int mode = input[0] & 0xFF;
        ParameterCodec codec = codecs.get((mode >>> 2) % codecs.size());
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        byte[] bytes = (mode & DEFLATE) != 0 ? deflate(body) : body;
        ModelParameters layout = (mode & AGAINST_LAYOUT) != 0 ? LAYOUT : null;
        ModelParameters decoded;
        try {
            decoded = codec.decode(bytes, layout);
        } catch (CodecFormatException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        if (layout != null) {
            layout.requireSameLayout(decoded);
        }
        // within a factor 2 of the float range's end a quantiser's scale times its levels can round past it
        if (decoded.tensors().stream().allMatch(t -> t.firstNonFinite() < 0 && maxAbs(t.data()) < Float.MAX_VALUE / 2)) {
            roundTrip(codec, decoded, step(codec));
        }
    }

    /** @return a quantising codec's step as a share of a tensor's largest magnitude (1 / levels); 0 for the float codecs */
    private static double step(ParameterCodec codec) {
        var bits = BITS.matcher(codec.name());
        return bits.find() ? 1.0 / ChannelQuantiser.levels(Integer.parseInt(bits.group(1))) : 0;
    }

    private static void refused(ParameterCodec codec, byte[] bytes, ModelParameters layout) {
        try {
            codec.decode(bytes, layout);
            throw new AssertionError(codec.name() + " decoded " + bytes.length + " bytes");
        } catch (CodecFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /**
     * Decoded parameters are a fixed point of the codec: encoding them again gives back the same layout and the same
     * values, to within {@code steps} times a tensor's largest magnitude (a quantiser's rounding).
     */
    private static void roundTrip(ParameterCodec codec, ModelParameters decoded, double steps) {
        ModelParameters again = codec.decode(codec.encode(decoded), decoded);
        for (int i = 0; i < decoded.tensors().size(); i++) {
            float[] want = decoded.tensors().get(i).data();
            float[] got = again.tensors().get(i).data();
            // a channel whose largest magnitude is under levels * Float.MIN_NORMAL (about 1.5e-36) gets a subnormal scale
            // whose inverse overflows, and codes at the clamp: no trained model holds such weights
            double tolerance = steps == 0 ? 0 : steps * maxAbs(want) + 1e-35;
            for (int j = 0; j < want.length; j++) {
                assertThat((double) got[j]).as("%s tensor %d value %d", codec.name(), i, j)
                        .isCloseTo(want[j], offset(tolerance));
            }
        }
    }

    private static double maxAbs(float[] x) {
        double max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /**
     * @return seed inputs in every mode: the codec's encodings of {@link #LAYOUT} and of a one-tensor model, as they are
     *         and as frames (inflated, for the deflating mode)
     */
    static Stream<byte[]> seeds(List<ParameterCodec> codecs) {
        ModelParameters single = new ModelParameters(List.of(new Tensor("x", new int[] {2, 2}, new float[] {1f, 0f, -1f, 0.5f})));
        return IntStream.range(0, codecs.size()).boxed().flatMap(c -> Stream.of(LAYOUT, single).flatMap(model -> {
            byte[] encoded = codecs.get(c).encode(model);
            byte[] frame = inflated(encoded);
            int pick = c << 2;
            return Stream.of(withMode(pick, encoded), withMode(pick | AGAINST_LAYOUT, encoded), withMode(pick | DEFLATE, frame),
                    withMode(pick | DEFLATE | AGAINST_LAYOUT, frame));
        }));
    }

    private static byte[] withMode(int mode, byte[] bytes) {
        byte[] out = new byte[bytes.length + 1];
        out[0] = (byte) mode;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }

    /** @return the frame inside a deflated encoding, or the bytes themselves when they are not deflated */
    private static byte[] inflated(byte[] encoded) {
        try (InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(encoded))) {
            return in.readAllBytes();
        } catch (IOException notDeflated) {
            return encoded;
        }
    }

    private static byte[] deflate(byte[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out)) {
            deflate.write(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
