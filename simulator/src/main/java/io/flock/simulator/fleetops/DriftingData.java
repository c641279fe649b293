package io.flock.simulator.fleetops;

import io.flock.core.data.Dataset;
import java.util.SplittableRandom;

/**
 * A device's data as it sees it once the drift is on: the same samples, with pixels brightened, noised or turned, or
 * with true labels moved (concept drift); before the drift, and for label shift (which changes which samples the device
 * sees, not the samples: {@link #keeps}), the data as it is. A view with no drift ({@code drift} null) is the data as it
 * is, always. Immutable apart from the switch; thread-safe.
 */
public final class DriftingData implements Dataset {
    private static final int SIDE = 28;
    private final Dataset data;
    private final DriftSpec drift;
    private final DriftSwitch on;
    private final int classes;
    private final long seed;

    /**
     * @param drift   the drift, null for a device it does not hit
     * @param classes the model's classes (what concept drift moves labels over)
     * @param seed    seeds the pixel noise (a sample's noise is the same on every read)
     */
    public DriftingData(Dataset data, DriftSpec drift, DriftSwitch on, int classes, long seed) {
        this.data = data;
        this.drift = drift;
        this.on = on;
        this.classes = classes;
        this.seed = seed;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public int featureCount() {
        return data.featureCount();
    }

    @Override
    public int label(int i) {
        int label = data.label(i);
        return active() && drift.kind() == DriftSpec.Kind.CONCEPT ? (label + (int) drift.magnitude()) % classes : label;
    }

    /** @return whether the device still sees sample {@code i} (label shift narrows the classes it sees) */
    public boolean keeps(int i) {
        return !active() || drift.kind() != DriftSpec.Kind.LABEL_SHIFT || data.label(i) < drift.magnitude();
    }

    @Override
    public void copyRawFeatures(int i, float[] dst, int offset) {
        data.copyRawFeatures(i, dst, offset);
        if (active()) {
            shift(dst, offset, featureCount(), drift, seed * 1_000_003L + i);
        }
    }

    private boolean active() {
        return drift != null && on.isOn();
    }

    /**
     * Applies a covariate drift to one raw sample in place (pixels 0..255); other kinds leave it alone.
     *
     * @param sampleSeed seeds the sample's noise
     */
    public static void shift(float[] x, int offset, int n, DriftSpec drift, long sampleSeed) {
        switch (drift.kind()) {
            case BRIGHTNESS -> {
                for (int j = 0; j < n; j++) {
                    x[offset + j] = Math.min(255f, x[offset + j] + (float) drift.magnitude());
                }
            }
            case NOISE -> {
                SplittableRandom r = new SplittableRandom(sampleSeed);
                for (int j = 0; j < n; j++) {
                    x[offset + j] = (float) Math.max(0, Math.min(255, x[offset + j] + r.nextGaussian() * drift.magnitude()));
                }
            }
            case ROTATION -> {
                if (n == SIDE * SIDE) {
                    for (int q = 0; q < (int) drift.magnitude(); q++) {
                        float[] turned = new float[n];
                        for (int r = 0; r < SIDE; r++) {
                            for (int c = 0; c < SIDE; c++) {
                                turned[c * SIDE + (SIDE - 1 - r)] = x[offset + r * SIDE + c];
                            }
                        }
                        System.arraycopy(turned, 0, x, offset, n);
                    }
                }
            }
            default -> {
                // label shift and concept drift leave the pixels alone
            }
        }
    }

    @Override
    public Dataset subset(int[] indices) {
        return new DriftingData(data.subset(indices), drift, on, classes, seed);
    }
}
