package io.flock.core.data;

import java.util.Random;

/**
 * The Fisher-Yates shuffle that orders training batches and partitions datasets. Shuffling
 * {@code n} indices draws exactly {@code n - 1} values from the random source,
 * {@code nextInt(i + 1)} for {@code i = n - 1} down to 1, so a seed fixes both the order and what
 * the source yields afterwards. Stateless and thread safe; the {@link Random} passed in is not.
 */
public final class Shuffle {
    private Shuffle() {
    }

    /** @return the indices {@code 0..n-1} in an order drawn from {@code random} */
    public static int[] permutation(int n, Random random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        shuffle(a, random);
        return a;
    }

    /** Shuffles {@code a} in place. */
    public static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
