package io.flock.simulator.fleetops;

import io.flock.core.data.Dataset;
import java.util.List;

/** The devices' datasets one after another, as one (the pool a simulated candidate is fine-tuned from). Immutable. */
public final class Concatenated implements Dataset {
    private final List<? extends Dataset> parts;
    private final int[] starts;
    private final int size;

    /** @param parts datasets of one width, in order */
    public Concatenated(List<? extends Dataset> parts) {
        this.parts = List.copyOf(parts);
        this.starts = new int[parts.size()];
        int n = 0;
        for (int p = 0; p < parts.size(); p++) {
            starts[p] = n;
            n += parts.get(p).size();
        }
        this.size = n;
    }

    private int part(int i) {
        int p = java.util.Arrays.binarySearch(starts, i);
        p = p >= 0 ? p : -p - 2;
        while (parts.get(p).size() == 0 || i - starts[p] >= parts.get(p).size()) {
            p++;
        }
        return p;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int featureCount() {
        return parts.isEmpty() ? 0 : parts.get(0).featureCount();
    }

    @Override
    public int label(int i) {
        int p = part(i);
        return parts.get(p).label(i - starts[p]);
    }

    @Override
    public void copyRawFeatures(int i, float[] dst, int offset) {
        int p = part(i);
        parts.get(p).copyRawFeatures(i - starts[p], dst, offset);
    }

    @Override
    public Dataset subset(int[] indices) {
        return new Subset(this, indices.clone());
    }

    /** A view of some rows, in order. */
    private record Subset(Dataset data, int[] rows) implements Dataset {
        @Override
        public int size() {
            return rows.length;
        }

        @Override
        public int featureCount() {
            return data.featureCount();
        }

        @Override
        public int label(int i) {
            return data.label(rows[i]);
        }

        @Override
        public void copyRawFeatures(int i, float[] dst, int offset) {
            data.copyRawFeatures(rows[i], dst, offset);
        }

        @Override
        public Dataset subset(int[] indices) {
            int[] r = new int[indices.length];
            for (int k = 0; k < r.length; k++) {
                r[k] = rows[indices[k]];
            }
            return new Subset(data, r);
        }
    }
}
