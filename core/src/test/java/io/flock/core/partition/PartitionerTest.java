package io.flock.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerTest {
    private static int[] labels(int perClass, int classes) {
        int[] l = new int[perClass * classes];
        for (int i = 0; i < l.length; i++) {
            l[i] = i % classes;
        }
        return l;
    }

    private static void assertDisjoint(int[][] parts, int total) {
        Set<Integer> seen = new HashSet<>();
        for (int[] p : parts) {
            for (int i : p) {
                assertThat(seen.add(i)).as("sample %d used twice", i).isTrue();
                assertThat(i).isBetween(0, total - 1);
            }
        }
    }

    @Test
    void iid_isBalancedAndDisjoint() {
        int[] l = labels(100, 10);
        int[][] parts = new IidPartitioner().partition(l, 7, new Random(0));

        assertDisjoint(parts, l.length);
        assertThat(Arrays.stream(parts).mapToInt(p -> p.length).sum()).isEqualTo(1000);
        assertThat(Arrays.stream(parts).mapToInt(p -> p.length).max().getAsInt()
                - Arrays.stream(parts).mapToInt(p -> p.length).min().getAsInt()).isLessThanOrEqualTo(1);
    }

    @Test
    void dirichlet_smallAlphaSkewsLabels_largeAlphaDoesNot_andSeedRepeats() {
        int[] l = labels(500, 10);
        int[][] skewed = new DirichletPartitioner(0.1, 10).partition(l, 20, new Random(1));
        int[][] mixed = new DirichletPartitioner(100, 10).partition(l, 20, new Random(1));

        assertDisjoint(skewed, l.length);
        assertThat(meanDominantShare(skewed, l)).isGreaterThan(0.6);
        assertThat(meanDominantShare(mixed, l)).isLessThan(0.25);
        assertThat(new DirichletPartitioner(0.1, 10).partition(l, 20, new Random(1))).isDeepEqualTo(skewed);
        assertThat(Arrays.stream(skewed).allMatch(p -> p.length >= 10)).isTrue();
    }

    @Test
    void dirichlet_impossibleRequest_failsClearly() {
        assertThatThrownBy(() -> new DirichletPartitioner(0.5, 10).partition(labels(1, 10), 5, new Random()))
                .hasMessageContaining("cannot give 5 devices 10");
        assertThatThrownBy(() -> new DirichletPartitioner(0, 1)).hasMessageContaining("alpha");
    }

    @Test
    void pathological_w1Geometry_givesExactlyTwoLabelsAndUsesSamplesOnce() {
        int[] sorted = new int[60_000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i / 6000;
        }
        int[][] parts = new PathologicalPartitioner(2).partition(sorted, 100, new Random(0));

        assertDisjoint(parts, sorted.length);
        for (int[] p : parts) {
            assertThat(p).hasSize(600);
            assertThat(Arrays.stream(p).map(i -> sorted[i]).distinct().count()).isEqualTo(2);
        }
        assertThat(new PathologicalPartitioner(2).partition(sorted, 100, new Random(0))).isDeepEqualTo(parts);
        assertThat(new PathologicalPartitioner(2).partition(sorted, 100, new Random(1))).isNotEqualTo(parts);
    }

    @Test
    void pathological_impossible_failsClearly() {
        assertThatThrownBy(() -> new PathologicalPartitioner(2).partition(labels(5, 10), 30, new Random()))
                .hasMessageContaining("cannot cut 50 samples into 60 shards");
        assertThatThrownBy(() -> new PathologicalPartitioner(11).partition(labels(100, 10), 2, new Random()))
                .hasMessageContaining("exceeds the 10 labels");
    }

    private static double meanDominantShare(int[][] parts, int[] labels) {
        double sum = 0;
        for (int[] p : parts) {
            int[] count = new int[10];
            for (int i : p) {
                count[labels[i]]++;
            }
            sum += (double) Arrays.stream(count).max().getAsInt() / p.length;
        }
        return sum / parts.length;
    }
}
