package io.flock.coordinator.monitor;

import io.flock.core.data.Dataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.InferenceModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.stats.BinEdges;
import io.flock.core.stats.DriftSketch;
import io.flock.core.stats.InputProjections;
import io.flock.core.tensor.ModelParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * The drift reference drawn from the coordinator's held-out set (the data the production version is scored and its
 * offload threshold calibrated on, from the same distribution as the devices' training data): the bins of each input
 * projection, cut at the held-out set's deciles (so the reference fills each about equally), and, for a version, the
 * statistics of that version's answers on the held-out set. The prepared inputs are kept; a version's statistics cost
 * one forward pass over them. Thread-safe.
 */
public final class HeldOutReference {
    /** Bins per projection. */
    public static final int BINS = 10;
    private static final int BATCH = 500;
    private final ModelSpec spec;
    private final float[] prepared;
    private final int rows;
    private final List<BinEdges> edges;

    /**
     * @param heldOut  labelled samples no device trains on (labels unused)
     * @param pipeline the model's feature pipeline
     */
    public HeldOutReference(Dataset heldOut, ModelSpec spec, FeaturePipeline pipeline) {
        this.spec = spec;
        this.rows = heldOut.size();
        int width = spec.inputSize();
        this.prepared = new float[rows * width];
        int[] all = java.util.stream.IntStream.range(0, rows).toArray();
        pipeline.prepareBatch(heldOut, all, 0, rows, prepared);
        double[][] columns = new double[InputProjections.count()][rows];
        double[] out = new double[InputProjections.count()];
        float[] row = new float[width];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(prepared, i * width, row, 0, width);
            InputProjections.project(row, out);
            for (int p = 0; p < out.length; p++) {
                columns[p][i] = out[p];
            }
        }
        List<BinEdges> e = new ArrayList<>();
        for (double[] c : columns) {
            e.add(BinEdges.quantiles(c, BINS));
        }
        this.edges = List.copyOf(e);
    }

    /** @return the bins of each projection, in {@link InputProjections#NAMES} order */
    public List<BinEdges> edges() {
        return edges;
    }

    /** @return held-out samples */
    public int size() {
        return rows;
    }

    /**
     * @param deviceParameters the parameters devices run (the pushed artifact, decoded)
     * @return the held-out set's statistics under them
     */
    public DriftSketch statistics(ModelParameters deviceParameters) {
        DriftSketch sketch = new DriftSketch(edges, spec.classes());
        int width = spec.inputSize();
        int classes = spec.classes();
        try (InferenceModel model = InferenceModel.forDevice(spec, "drift-reference")) {
            model.load(deviceParameters);
            float[] row = new float[width];
            for (int from = 0; from < rows; from += BATCH) {
                int n = Math.min(BATCH, rows - from);
                float[] batch = new float[n * width];
                System.arraycopy(prepared, from * width, batch, 0, n * width);
                float[] probabilities = model.predictProbabilities(batch);
                for (int i = 0; i < n; i++) {
                    int label = 0;
                    for (int c = 1; c < classes; c++) {
                        if (probabilities[i * classes + c] > probabilities[i * classes + label]) {
                            label = c;
                        }
                    }
                    System.arraycopy(batch, i * width, row, 0, width);
                    sketch.add(row, label, Math.min(1.0, Math.max(0.0, probabilities[i * classes + label])));
                }
            }
        }
        return sketch;
    }
}
