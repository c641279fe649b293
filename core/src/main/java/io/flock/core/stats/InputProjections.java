package io.flock.core.stats;

import io.flock.core.InvalidInputException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Four fixed numbers that summarise one model input (a feature vector after the model's feature pipeline, e.g. pixels
 * divided by 255), so that a shift in what a device sees can be told from a reference without seeing the inputs.
 * Thread-safe.
 *
 * <p>For an input x of length d the projections are, in this order ({@link #NAMES}):
 * <ol>
 *   <li>{@code mean}: (x<sub>0</sub> + ... + x<sub>d-1</sub>) / d;</li>
 *   <li>{@code spread}: the population standard deviation, sqrt(sum((x<sub>i</sub> - mean)<sup>2</sup>) / d);</li>
 *   <li>{@code projection-1}: r1·x / sqrt(d);</li>
 *   <li>{@code projection-2}: r2·x / sqrt(d).</li>
 * </ol>
 * r1 and r2 are fixed random sign vectors: entry i of r1 is +1 when the (i+1)-th {@code nextBoolean()} of
 * {@code new SplittableRandom(0x5EED_0001L)} is true and -1 otherwise; r2 likewise with seed
 * {@code 0x5EED_0002L} ({@link #SEED_1}, {@link #SEED_2}). The vector for length d is therefore the first d entries of
 * the vector for any longer length. Every sum is taken in double, in index order, so the same input gives the same
 * four numbers on every device and JVM (tests lock the first signs of both vectors).
 *
 * <p><b>What leaves the device:</b> only counts of these four numbers falling into bins (see {@link DriftSketch}),
 * never the four values themselves and never the inputs.
 */
public final class InputProjections {
    /** The projections' names, in the order {@link #project(float[])} returns them. */
    public static final List<String> NAMES = List.of("mean", "spread", "projection-1", "projection-2");

    /** Seed of the first sign vector r1. */
    public static final long SEED_1 = 0x5EED_0001L;

    /** Seed of the second sign vector r2. */
    public static final long SEED_2 = 0x5EED_0002L;

    /** Input lengths whose sign vectors are kept; past this many distinct lengths the cache starts over. */
    private static final int MAX_CACHED_LENGTHS = 32;

    /** Per input length: {r1, r2}, each entry +1.0 or -1.0. */
    private static final Map<Integer, double[][]> SIGNS = new ConcurrentHashMap<>();

    private InputProjections() {
    }

    /** @return how many projections there are: 4, the size of {@link #NAMES} */
    public static int count() {
        return NAMES.size();
    }

    /**
     * @param features one model input, non-empty; a NaN or infinite feature gives non-finite projections (which
     *                 {@link BinEdges#bin(double)} refuses)
     * @return a new array {mean, spread, projection-1, projection-2}
     * @throws InvalidInputException for an empty vector
     * @throws NullPointerException for a null vector
     */
    public static double[] project(float[] features) {
        double[] out = new double[count()];
        project(features, out);
        return out;
    }

    /**
     * As {@link #project(float[])}, writing into {@code out} and allocating nothing once the sign vectors for this
     * input length exist.
     *
     * @param features one model input, non-empty
     * @param out      receives {mean, spread, projection-1, projection-2}; length exactly {@link #count()}
     * @throws InvalidInputException for an empty vector or an {@code out} of another length
     * @throws NullPointerException  for a null argument
     */
    public static void project(float[] features, double[] out) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(out, "out");
        int d = features.length;
        if (d == 0) {
            throw new InvalidInputException("features must not be empty, got length 0");
        }
        if (out.length != count()) {
            throw new InvalidInputException("out must have length " + count() + ", got " + out.length);
        }
        double[][] signs = signs(d);
        double[] r1 = signs[0];
        double[] r2 = signs[1];
        double sum = 0;
        double dot1 = 0;
        double dot2 = 0;
        for (int i = 0; i < d; i++) {
            double x = features[i];
            sum += x;
            dot1 += r1[i] * x;
            dot2 += r2[i] * x;
        }
        double mean = sum / d;
        double squares = 0;
        for (int i = 0; i < d; i++) {
            double dev = features[i] - mean;
            squares += dev * dev;
        }
        double root = Math.sqrt(d);
        out[0] = mean;
        out[1] = Math.sqrt(squares / d);
        out[2] = dot1 / root;
        out[3] = dot2 / root;
    }

    /**
     * @param length input length, > 0
     * @return a new array with the sign vector of {@code seed} for that length (+1.0 or -1.0 each entry)
     * @throws InvalidInputException for a length below 1
     */
    static double[] signVector(long seed, int length) {
        if (length < 1) {
            throw new InvalidInputException("length must be > 0, got " + length);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] r = new double[length];
        for (int i = 0; i < length; i++) {
            r[i] = random.nextBoolean() ? 1.0 : -1.0;
        }
        return r;
    }

    private static double[][] signs(int length) {
        double[][] cached = SIGNS.get(length);
        if (cached != null) {
            return cached;
        }
        if (SIGNS.size() >= MAX_CACHED_LENGTHS) {
            SIGNS.clear();
        }
        return SIGNS.computeIfAbsent(length, d -> new double[][] {signVector(SEED_1, d), signVector(SEED_2, d)});
    }
}
