package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class MaskedVectorsTest {
    @Test
    void encode_isLittleEndian_andDecodesBack() {
        byte[] bytes = MaskedVectors.encode(new int[] {1, -1, 0x01020304});

        assertThat(bytes).containsExactly(1, 0, 0, 0, -1, -1, -1, -1, 4, 3, 2, 1);
        assertThat(MaskedVectors.decode(bytes, 3)).containsExactly(1, -1, 0x01020304);
    }

    @Test
    void decode_wrongLength_namesBothSizes() {
        assertThatThrownBy(() -> MaskedVectors.decode(new byte[10], 3)).isInstanceOf(InvalidInputException.class)
                .hasMessage("masked vector of 10 bytes, expected 4 x 3 = 12");
    }
}
