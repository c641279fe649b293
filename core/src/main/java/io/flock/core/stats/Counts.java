package io.flock.core.stats;

import io.flock.core.InvalidInputException;

/** Checks shared by the tests that compare two binned count vectors. */
final class Counts {
    private Counts() {
    }

    /**
     * @return the two totals {sum(first), sum(second)}
     * @throws InvalidInputException when either is null or empty, their lengths differ, a count is negative, a total
     *                               overflows, or a total is 0
     */
    static long[] requireComparable(String firstName, long[] first, String secondName, long[] second) {
        if (first == null || second == null || first.length == 0 || first.length != second.length) {
            throw new InvalidInputException(firstName + " and " + secondName + " must be non-empty and of equal length, got "
                    + length(first) + " and " + length(second));
        }
        return new long[] {total(firstName, first), total(secondName, second)};
    }

    private static String length(long[] a) {
        return a == null ? "null" : String.valueOf(a.length);
    }

    private static long total(String name, long[] counts) {
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new InvalidInputException(name + "[" + i + "] must be >= 0, got " + counts[i]);
            }
            sum += counts[i];
            if (sum < 0) {
                throw new InvalidInputException(name + " overflows a long when summed");
            }
        }
        if (sum == 0) {
            throw new InvalidInputException(name + " must have a total > 0, got 0");
        }
        return sum;
    }
}
