package io.flock.coordinator.strategy;

/**
 * Order statistics in expected O(n), for the per-coordinate rules (a sort per coordinate made the median of 100
 * updates of the MLP several times slower). Values must not be NaN. The result depends only on the values and their
 * order in the array, so the rules feed values in a canonical order (by device id).
 */
final class QuickSelect {
    private static final int INSERTION = 16;

    private QuickSelect() {
    }

    /**
     * Reorders {@code a[from, to)} so that {@code a[k]} is the value of rank {@code k - from} in the range, nothing
     * before it is larger and nothing after it smaller.
     *
     * @return {@code a[k]}
     */
    static float select(float[] a, int from, int to, int k) {
        int lo = from;
        int hi = to - 1;
        while (hi - lo >= INSERTION) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < a[lo]) {
                swap(a, lo, mid);
            }
            if (a[hi] < a[lo]) {
                swap(a, lo, hi);
            }
            if (a[hi] < a[mid]) {
                swap(a, mid, hi);
            }
            float pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i++, j--);
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k]; // between j and i every value equals the pivot
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            float v = a[i];
            int j = i - 1;
            while (j >= lo && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
        return a[k];
    }

    private static void swap(float[] a, int i, int j) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
