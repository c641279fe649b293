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
     */
    public record Point(double threshold, double offloadRate, double hybridAccuracy) {
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
        boolean[] deviceCorrect = new boolean[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            s[i] = score.of(device, i * classes, classes);
            deviceCorrect[i] = LocalTrainer.argmax(device, i * classes, classes) == labels[i];
            localCorrect += deviceCorrect[i] ? 1 : 0;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> s[i]));
        List<Point> out = new ArrayList<>();
        int correct = localCorrect;
        out.add(new Point(s[order[0]], 0, (double) correct / n));
        for (int k = 0; k < n; k++) {
            int i = order[k];
            correct += (cloudCorrect[i] ? 1 : 0) - (deviceCorrect[i] ? 1 : 0);
            if (k + 1 < n && s[order[k + 1]] == s[i]) {
                continue; // one threshold offloads every example of the same score
            }
            double threshold = k + 1 < n ? s[order[k + 1]] : Math.nextUp(s[i]);
            out.add(new Point(threshold, (double) (k + 1) / n, (double) correct / n));
        }
        return out;
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

    /** @return the point with the lowest offload rate whose hybrid accuracy is within {@code points} of {@code cloudAccuracy} */
    public static Point lowestRateWithin(List<Point> curve, double cloudAccuracy, double points) {
        for (Point p : curve) {
            if (p.hybridAccuracy() >= cloudAccuracy - points / 100) {
                return p;
            }
        }
        return curve.get(curve.size() - 1);
    }
}
