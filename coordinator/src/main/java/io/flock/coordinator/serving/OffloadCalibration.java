package io.flock.coordinator.serving;

import io.flock.core.InvalidInputException;
import io.flock.core.model.ConfidenceScore;
import io.flock.core.train.LocalTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Calibrates a device's offload threshold on held-out data: the device model's class probabilities and whether the
 * cloud model answers each example right. A device keeps an answer whose {@link ConfidenceScore} is at least the
 * threshold and offloads the rest, so each threshold gives an offload rate and a hybrid accuracy. The curve holds
 * every distinct threshold; a target picks one point of it. Stateless.
 */
public final class OffloadCalibration {
    /**
     * One threshold.
     *
     * @param threshold      offload below this score
     * @param offloadRate    share of the examples offloaded
     * @param hybridAccuracy accuracy with the offloaded examples answered by the cloud model
     * @param gapError       standard error of the hybrid's accuracy minus the cloud model's on this set (from the paired
     *                       per-example differences): how far the gap seen here may be from the gap on other data
     */
    public record Point(double threshold, double offloadRate, double hybridAccuracy, double gapError) {
        /** @return whether the hybrid is within {@code points} of {@code cloudAccuracy} with {@code z} standard errors to spare */
        public boolean within(double cloudAccuracy, double points, double z) {
            return hybridAccuracy - z * gapError >= cloudAccuracy - points / 100;
        }
    }

    private OffloadCalibration() {
    }

    /**
     * @param device       the device model's probabilities, {@code labels.length} rows of {@code classes}
     * @param labels       the true classes
     * @param cloudCorrect per example, whether the cloud model's answer is right
     * @return the points from offloading nothing to offloading everything, offload rate rising
     * @throws InvalidInputException when the arrays do not line up or are empty
     */
    public static List<Point> curve(float[] device, int classes, int[] labels, boolean[] cloudCorrect, ConfidenceScore score) {
        int n = labels.length;
        if (n == 0 || device.length != (long) n * classes || cloudCorrect.length != n) {
            throw new InvalidInputException("calibration needs one row of " + classes + " probabilities and one cloud answer per label: "
                    + device.length + " values, " + cloudCorrect.length + " answers, " + n + " labels");
        }
        Integer[] order = new Integer[n];
        double[] s = new double[n];
        int localCorrect = 0;
        int cloudRight = 0;
        int disagree = 0; // examples the hybrid and the cloud model do not both get right or both get wrong
        boolean[] deviceCorrect = new boolean[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            s[i] = score.of(device, i * classes, classes);
            deviceCorrect[i] = LocalTrainer.argmax(device, i * classes, classes) == labels[i];
            localCorrect += deviceCorrect[i] ? 1 : 0;
            cloudRight += cloudCorrect[i] ? 1 : 0;
            disagree += deviceCorrect[i] != cloudCorrect[i] ? 1 : 0;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> s[i]));
        List<Point> out = new ArrayList<>();
        int correct = localCorrect;
        out.add(point(s[order[0]], 0, correct, cloudRight, disagree, n));
        for (int k = 0; k < n; k++) {
            int i = order[k];
            correct += (cloudCorrect[i] ? 1 : 0) - (deviceCorrect[i] ? 1 : 0);
            disagree -= deviceCorrect[i] != cloudCorrect[i] ? 1 : 0; // offloaded: the hybrid answers as the cloud does
            if (k + 1 < n && s[order[k + 1]] == s[i]) {
                continue; // one threshold offloads every example of the same score
            }
            double threshold = k + 1 < n ? s[order[k + 1]] : Math.nextUp(s[i]);
            out.add(point(threshold, k + 1, correct, cloudRight, disagree, n));
        }
        return out;
    }

    /** A point; the per-example difference (hybrid right minus cloud right) is -1, 0 or 1, so its variance is disagree - gap^2. */
    private static Point point(double threshold, int offloaded, int correct, int cloudRight, int disagree, int n) {
        double gap = (double) (correct - cloudRight) / n;
        double variance = Math.max(0, (double) disagree / n - gap * gap);
        return new Point(threshold, (double) offloaded / n, (double) correct / n, Math.sqrt(variance / n));
    }

    /** @return the point with the highest offload rate at most {@code rate} */
    public static Point atMostRate(List<Point> curve, double rate) {
        Point best = curve.get(0);
        for (Point p : curve) {
            if (p.offloadRate() <= rate) {
                best = p;
            }
        }
        return best;
    }

    /**
     * @param z standard errors of the gap to spare (0: the gap seen on this set; 1: a gap this set's sampling error leaves
     *          likely on other data)
     * @return the point with the lowest offload rate whose hybrid accuracy is within {@code points} of {@code cloudAccuracy}
     */
    public static Point lowestRateWithin(List<Point> curve, double cloudAccuracy, double points, double z) {
        for (Point p : curve) {
            if (p.within(cloudAccuracy, points, z)) {
                return p;
            }
        }
        return curve.get(curve.size() - 1);
    }
}
