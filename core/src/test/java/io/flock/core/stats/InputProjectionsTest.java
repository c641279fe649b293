package io.flock.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputProjectionsTest {
    /** The first 16 signs of r1 and r2 (seeds 0x5EED_0001 and 0x5EED_0002): devices and the coordinator depend on them. */
    private static final double[] R1_16 = {-1, 1, -1, -1, 1, 1, -1, 1, -1, -1, 1, 1, -1, 1, 1, 1};
    private static final double[] R2_16 = {-1, 1, -1, 1, 1, 1, -1, -1, 1, 1, 1, 1, 1, -1, -1, -1};

    @Test
    void names_areTheFourDocumentedProjections() {
        assertThat(InputProjections.NAMES).containsExactly("mean", "spread", "projection-1", "projection-2");
        assertThat(InputProjections.count()).isEqualTo(4);
    }

    @Test
    void signVectors_areLockedToTheirSeeds_andShorterOnesArePrefixes() {
        assertThat(InputProjections.signVector(InputProjections.SEED_1, 16)).containsExactly(R1_16);
        assertThat(InputProjections.signVector(InputProjections.SEED_2, 16)).containsExactly(R2_16);
        assertThat(InputProjections.SEED_1).isEqualTo(0x5EED_0001L);
        assertThat(InputProjections.SEED_2).isEqualTo(0x5EED_0002L);

        double[] long1 = InputProjections.signVector(InputProjections.SEED_1, 784);
        assertThat(Arrays.copyOf(long1, 16)).containsExactly(R1_16);
        assertThat(Arrays.stream(long1).allMatch(v -> v == 1.0 || v == -1.0)).isTrue();
        assertThat(Arrays.stream(long1).sum()).isEqualTo(4.0);   // 394 plus, 390 minus: locks all 784 entries' balance
    }

    @Test
    void project_smallVector_givesTheDocumentedValues() {
        float[] x = {0f, 0.25f, 0.5f, 1f};

        double[] p = InputProjections.project(x);

        // mean 1.75 / 4; deviations -0.4375, -0.1875, 0.0625, 0.5625; squares sum 0.546875; / 4 = 0.13671875 (all exact)
        assertThat(p[0]).isEqualTo(0.4375);
        assertThat(p[1]).isEqualTo(Math.sqrt(0.13671875));
        // r1 = (-1, 1, -1, -1), r2 = (-1, 1, -1, 1); / sqrt(4)
        assertThat(p[2]).isEqualTo((0.25 - 0.5 - 1) / 2);
        assertThat(p[3]).isEqualTo((0.25 - 0.5 + 1) / 2);
    }

    @Test
    void project_constantVector_hasNoSpreadAndProjectsTheSignSum() {
        float[] x = new float[16];
        Arrays.fill(x, 0.5f);

        double[] p = InputProjections.project(x);

        assertThat(p[0]).isEqualTo(0.5);
        assertThat(p[1]).isEqualTo(0.0);
        assertThat(p[2]).isEqualTo(0.5 * Arrays.stream(R1_16).sum() / 4);   // sum of r1's 16 signs is 2
        assertThat(p[3]).isEqualTo(0.5 * Arrays.stream(R2_16).sum() / 4);   // sum of r2's 16 signs is 2
    }

    @Test
    void project_isDeterministic_andBothVariantsAgree() {
        float[] x = new float[784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 37 % 256) / 255f;
        }
        double[] first = InputProjections.project(x);
        double[] out = new double[4];
        InputProjections.project(new float[3], new double[4]);   // another length in between uses its own vectors
        InputProjections.project(x, out);

        assertThat(out).containsExactly(first);
        assertThat(InputProjections.project(x.clone())).containsExactly(first);
        assertThat(first[2]).isNotEqualTo(first[3]);
    }

    @Test
    void project_badInput_isRefused() {
        assertThatThrownBy(() -> InputProjections.project(new float[0])).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> InputProjections.project(new float[2], new double[3])).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("length 4, got 3");
        assertThatThrownBy(() -> InputProjections.signVector(1, 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> InputProjections.NAMES.set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(List.copyOf(InputProjections.NAMES)).hasSize(InputProjections.count());
    }
}
