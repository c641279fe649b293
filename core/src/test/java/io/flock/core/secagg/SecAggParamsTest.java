package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import org.junit.jupiter.api.Test;

class SecAggParamsTest {
    private static final byte[] ID = {1};

    @Test
    void defaults_fullUpTo129_then128_andMajorityThreshold() {
        assertThat(SecAggParams.defaultNeighbours(2)).isEqualTo(1);
        assertThat(SecAggParams.defaultNeighbours(100)).isEqualTo(99);
        assertThat(SecAggParams.defaultNeighbours(10_000)).isEqualTo(128);
        assertThat(SecAggParams.defaultThreshold(1)).isEqualTo(1);
        assertThat(SecAggParams.defaultThreshold(4)).isEqualTo(3);
        assertThat(SecAggParams.defaultThreshold(99)).isEqualTo(50);
        assertThat(SecAggParams.withDefaults(ID, 100, 5)).isEqualTo(new SecAggParams(new byte[] {1}, 100, 99, 50, 5));
    }

    @Test
    void constructor_outOfRange_refusedNamingTheValue() {
        assertThatThrownBy(() -> new SecAggParams(ID, 1, 1, 1, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("participants 1");
        assertThatThrownBy(() -> new SecAggParams(ID, 5, 5, 1, 1)).hasMessageContaining("neighbours 5 outside 1..4");
        assertThatThrownBy(() -> new SecAggParams(ID, 5, 2, 3, 1)).hasMessageContaining("threshold 3 outside 1..2");
        assertThatThrownBy(() -> new SecAggParams(ID, 5, 2, 2, 0)).hasMessageContaining("length 0");
        assertThatThrownBy(() -> new SecAggParams(new byte[0], 5, 2, 2, 1)).hasMessageContaining("roundId");
    }

    @Test
    void roundId_isCopiedInAndOut() {
        byte[] id = {7};
        SecAggParams p = new SecAggParams(id, 3, 2, 2, 1);
        id[0] = 8;
        p.roundId()[0] = 9;

        assertThat(p.roundId()).containsExactly(7);
    }
}
