package io.flock.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/** Decoding an update against the model's layout: a hostile frame is refused before it allocates. */
class DecodeBoundsTest {
    private static final ModelParameters LAYOUT = new ModelParameters(List.of(new Tensor("w", new int[] {4, 4}, new float[16]),
            new Tensor("b", new int[] {4}, new float[4])));

    /** An int8 frame claiming one 16384 x 16384 tensor, then 300 MB of zeros: about 300 KB compressed. */
    private static byte[] bomb() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes))) {
            out.writeInt(ParameterFrame.MAGIC);
            out.writeUTF("int8");
            out.writeInt(1);
            out.writeUTF("w");
            out.writeByte(2);
            out.writeInt(16384);
            out.writeInt(16384);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) {
                out.write(zeros);
            }
        }
        return bytes.toByteArray();
    }

    private static long allocated(Runnable r) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        r.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void aDecompressionBomb_isRefusedAgainstTheLayout_withoutInflatingIt() throws Exception {
        byte[] bomb = bomb();
        assertThat(bomb.length).isLessThan(1 << 20);

        long used = allocated(() -> assertThatThrownBy(() -> Codecs.INT8.decode(bomb, LAYOUT))
                .isInstanceOf(CodecFormatException.class).hasMessageContaining("size limit"));

        assertThat(used).as("bytes allocated refusing a %d-byte bomb", bomb.length).isLessThan(16L << 20);
    }

    @Test
    void everyCodec_refusesAnotherLayout_andDecodesItsOwn() {
        ModelParameters other = new ModelParameters(List.of(new Tensor("w", new int[] {8, 8}, new float[64]),
                new Tensor("b", new int[] {4}, new float[4])));
        ModelParameters renamed = new ModelParameters(List.of(new Tensor("v", new int[] {4, 4}, new float[16]),
                new Tensor("b", new int[] {4}, new float[4])));
        ModelParameters fewer = new ModelParameters(List.of(new Tensor("w", new int[] {4, 4}, new float[16])));
        for (String name : List.of("fp32", "fp16", "int8", "int8-per-tensor", "int4", "int3-stochastic", "sparse-int8", "sparse-int4")) {
            ParameterCodec codec = Codecs.byName(name);
            assertThat(codec.decode(codec.encode(LAYOUT), LAYOUT).tensors()).as(name).hasSize(2);
            assertThatThrownBy(() -> codec.decode(codec.encode(other), LAYOUT)).as(name).isInstanceOf(CodecFormatException.class)
                    .hasMessageContaining("w[8, 8]").hasMessageContaining("w[4, 4]");
            assertThatThrownBy(() -> codec.decode(codec.encode(renamed), LAYOUT)).as(name).isInstanceOf(CodecFormatException.class);
            assertThatThrownBy(() -> codec.decode(codec.encode(fewer), LAYOUT)).as(name).isInstanceOf(CodecFormatException.class)
                    .hasMessageContaining("1 tensors, the model has 2");
        }
    }
}
