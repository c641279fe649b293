package io.flock.simulator.compress;

import io.flock.agent.inference.LocalModel;
import io.flock.core.codec.Codecs;
import io.flock.core.compress.CompressionPipeline;
import io.flock.core.compress.Pruning;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.simulator.report.SampleStats;
import java.util.Arrays;
import java.util.List;

/**
 * Compresses one trained model with each pipeline and measures what a device gets: the artifact's bytes, the
 * test accuracy and the prediction latency of the decoded model as the agent loads and serves it
 * ({@link LocalModel}, batch 1, one thread). A pruned row is measured as pruned, or after federated fine-tuning
 * with its mask when the caller fine-tuned the source.
 */
public final class CompressionStudy {
    /** The pipelines a study compares unless told otherwise. */
    public static final List<String> DEFAULT_PIPELINES = List.of("fp32", "fp16", "int8", "int4", "prune:0.5+int8", "prune:0.8+int8",
            "prune:0.9+int8", "prune:0.9+int4", "prune:0.95+int4", "lowrank:64+int8", "lowrank:32+int8", "lowrank:e0.8+int8");

    /**
     * One pipeline's result.
     *
     * @param pipeline    canonical pipeline name (the variant's name)
     * @param spec        the network the device runs (factorised by a low-rank step)
     * @param fineTuneRounds federated rounds of fine-tuning with the pruning mask before compressing (0 = none)
     * @param bytes       artifact bytes
     * @param ratio       fp32 artifact bytes over these
     * @param accuracy    test accuracy of the decoded model
     * @param deltaPoints accuracy minus the fp32 model's, in points
     * @param sparsity    share of zero weights in the decoded model
     * @param parameters  values the device holds (all tensors), which factorisation lowers
     * @param p50Ms       median prediction latency at batch 1
     * @param p99Ms       99th percentile prediction latency
     */
    public record Row(String pipeline, String spec, int fineTuneRounds, long bytes, double ratio, double accuracy, double deltaPoints,
                      double sparsity, long parameters, double p50Ms, double p99Ms) {
    }

    private final ModelSpec spec;
    private final FeaturePipeline features;
    private final ByteDataset test;
    private long fp32Bytes;
    private double[] reference;

    /**
     * @param spec     the model's spec
     * @param features its feature pipeline
     * @param test     held-out images, never seen in training
     */
    public CompressionStudy(ModelSpec spec, FeaturePipeline features, ByteDataset test) {
        this.spec = spec;
        this.features = features;
        this.test = test;
    }

    /** Measures the uncompressed model, the reference every row is compared with; call before {@link #row}. */
    public void reference(ModelParameters trained) {
        fp32Bytes = Codecs.FP32.encode(trained).length;
        reference = measure(spec, trained);
    }

    /**
     * @param pipeline       the compression pipeline
     * @param source         the model it compresses: the trained one, or one fine-tuned with the pipeline's mask
     * @param fineTuneRounds federated rounds {@code source} was fine-tuned for after pruning (0 = none)
     * @return the row: the artifact's size and the decoded model's accuracy and latency
     */
    public Row row(String pipeline, ModelParameters source, int fineTuneRounds) {
        if (reference == null) {
            throw new IllegalStateException("measure the reference first");
        }
        CompressionPipeline p = CompressionPipeline.parse(pipeline);
        return row(p.name(), spec, p, source, fineTuneRounds, p.name().equals("fp32") && fineTuneRounds == 0);
    }

    /**
     * A row for another network trained in the study's fleet (a distillation teacher or student), compressed with
     * {@code pipeline} and compared with the reference model.
     *
     * @param label what the row's pipeline column says
     */
    public Row other(String label, ModelSpec network, ModelParameters parameters, String pipeline) {
        if (reference == null) {
            throw new IllegalStateException("measure the reference first");
        }
        return row(label, network, CompressionPipeline.parse(pipeline), parameters, 0, false);
    }

    private Row row(String label, ModelSpec network, CompressionPipeline p, ModelParameters source, int rounds, boolean isReference) {
        CompressionPipeline.Artifact artifact = p.encode(network, source);
        ModelParameters decoded = p.codec().decode(artifact.bytes());
        double[] m = isReference ? reference : measure(artifact.spec(), decoded);
        return new Row(label, artifact.spec().toString(), rounds, artifact.bytes().length,
                (double) fp32Bytes / artifact.bytes().length, m[0], 100 * (m[0] - reference[0]), Pruning.sparsity(decoded),
                decoded.totalSize(), m[1], m[2]);
    }

    /** @return accuracy, p50 ms and p99 ms of the model served the agent's way */
    private double[] measure(ModelSpec served, ModelParameters parameters) {
        try (LocalModel local = new LocalModel()) {
            local.swap("study", 1, "study", served, features, parameters);
            float[] raw = new float[test.featureCount()];
            for (int i = 0; i < 1000; i++) { // warm-up: the JIT compiles the forward pass
                test.copyRawFeatures(i % test.size(), raw, 0);
                local.predict(raw);
            }
            double[] ms = new double[test.size()];
            int correct = 0;
            for (int i = 0; i < test.size(); i++) {
                test.copyRawFeatures(i, raw, 0);
                long start = System.nanoTime();
                int label = local.predict(raw).orElseThrow().label();
                ms[i] = (System.nanoTime() - start) / 1e6;
                correct += label == test.label(i) ? 1 : 0;
            }
            Arrays.sort(ms);
            return new double[] {(double) correct / test.size(), SampleStats.percentile(ms, 0.5), SampleStats.percentile(ms, 0.99)};
        }
    }
}
