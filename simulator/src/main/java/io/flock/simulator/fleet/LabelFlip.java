package io.flock.simulator.fleet;

import io.flock.agent.training.UpdateTamper;
import io.flock.core.data.Dataset;
import java.util.Arrays;
import java.util.Random;

/**
 * Trains on the device's own data with its labels relabelled by a fixed map (data poisoning); the update it then
 * uploads is left alone. The data is relabelled on the device, as it loads, and still never leaves it. Test-only,
 * through {@link UpdateTamper}.
 */
final class LabelFlip implements UpdateTamper {
    private final int[] map;

    /** @param map new label by old label; labels past its end stay as they are */
    LabelFlip(int[] map) {
        this.map = map.clone();
    }

    /** @return label -> classes - 1 - label */
    static LabelFlip reverse(int classes) {
        int[] map = new int[classes];
        for (int c = 0; c < classes; c++) {
            map[c] = classes - 1 - c;
        }
        return new LabelFlip(map);
    }

    /**
     * @return label -> p(label), p a permutation of the classes with no fixed point (one cycle through all classes,
     *         Sattolo's shuffle), the same for the same seed
     */
    static LabelFlip permutation(int classes, long seed) {
        int[] map = new int[classes];
        for (int c = 0; c < classes; c++) {
            map[c] = c;
        }
        Random random = new Random(seed);
        for (int i = classes - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int t = map[i];
            map[i] = map[j];
            map[j] = t;
        }
        return new LabelFlip(map);
    }

    @Override
    public Dataset trainingData(Dataset data) {
        return new Relabelled(data, map);
    }

    @Override
    public String toString() {
        return "label-flip (labels " + Arrays.toString(map) + ")";
    }

    /** A view of a dataset with every label passed through a map. */
    private record Relabelled(Dataset data, int[] map) implements Dataset {
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
            return label < map.length ? map[label] : label;
        }

        @Override
        public void copyRawFeatures(int i, float[] dst, int offset) {
            data.copyRawFeatures(i, dst, offset);
        }

        @Override
        public Dataset subset(int[] indices) {
            return new Relabelled(data.subset(indices), map);
        }
    }
}
