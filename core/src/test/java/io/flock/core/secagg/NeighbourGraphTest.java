package io.flock.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NeighbourGraphTest {
    private static byte[] id(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "n={0} k={1}")
    @CsvSource({"2,1", "5,4", "6,3", "7,3", "9,5", "10,4", "11,1", "100,64", "129,128"})
    void neighbours_anyShape_symmetricDegreeKAndOneKPlusOneWhenBothOdd(int n, int k) {
        NeighbourGraph g = new NeighbourGraph(n, k, id("m/" + n));

        int above = 0;
        for (int i = 0; i < n; i++) {
            List<Integer> ns = g.neighbours(i);
            assertThat(ns).doesNotContain(i).doesNotHaveDuplicates().isSorted();
            for (int j : ns) {
                assertThat(g.neighbours(j)).contains(i);
            }
            for (int j = 0; j < n; j++) {
                assertThat(g.areNeighbours(i, j)).as("%d-%d", i, j).isEqualTo(ns.contains(j));
            }
            assertThat(ns.size()).isBetween(k, k + 1);
            above += ns.size() - k;
        }
        assertThat(above).isEqualTo(k % 2 == 1 && n % 2 == 1 ? 1 : 0);
    }

    @Test
    void neighbours_sameRound_sameGraph_otherRound_otherGraph() {
        NeighbourGraph a = new NeighbourGraph(50, 6, id("m/1"));
        NeighbourGraph b = new NeighbourGraph(50, 6, id("m/1"));
        NeighbourGraph c = new NeighbourGraph(50, 6, id("m/2"));

        List<List<Integer>> la = new ArrayList<>();
        List<List<Integer>> lb = new ArrayList<>();
        List<List<Integer>> lc = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            la.add(a.neighbours(i));
            lb.add(b.neighbours(i));
            lc.add(c.neighbours(i));
        }
        assertThat(la).isEqualTo(lb).isNotEqualTo(lc);
    }

    @Test
    void neighbours_fullDegree_everyoneElse() {
        NeighbourGraph g = new NeighbourGraph(6, 5, id("m/3"));

        assertThat(g.neighbours(2)).containsExactly(0, 1, 3, 4, 5);
    }

    @Test
    void constructor_degreeOutOfRange_refused() {
        assertThatThrownBy(() -> new NeighbourGraph(5, 5, id("m"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("degree 5");
        assertThatThrownBy(() -> new NeighbourGraph(5, 2, id("m")).neighbours(5)).hasMessageContaining("participant 5");
    }
}
