package io.flock.bench;

import io.flock.core.aggregation.StreamingWeightedMean;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.tensor.Tensor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W6: the streaming weighted mean (FedAvg's aggregation) against the memory bandwidth of the same run. Each
 * operation passes once over K distinct updates of the MLP (K·P float32 values, 80 MB at K = 100, more than the
 * L3): {@link #weightedMean} folds them into one {@link StreamingWeightedMean}, {@link #copy} copies each into
 * one buffer ({@code System.arraycopy}: the machine's streaming read rate), and {@link #sum} adds them up with a
 * plain loop. The ratio of {@link #weightedMean}'s time to {@link #copy}'s is the share of the bandwidth reached.
 * One thread: one core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 3, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class AggregationKernelBenchmark {
    /** Updates folded per operation. */
    @Param("100")
    public int updates;

    private List<ModelParameters> data;
    private StreamingWeightedMean mean;
    private float[][] buffers;

    /** Makes the updates and the O(P) accumulator the mean keeps. */
    @Setup
    public void setUp() {
        data = MlpUpdates.of(updates, 6, 0.01f);
        mean = new StreamingWeightedMean(data.get(0));
        buffers = data.get(0).tensors().stream().map(t -> new float[t.size()]).toArray(float[][]::new);
    }

    /** @return the accumulator after folding every update in, weighted as devices' example counts are */
    @Benchmark
    public StreamingWeightedMean weightedMean() {
        for (int i = 0; i < data.size(); i++) {
            mean.add(data.get(i), 600 + i);
        }
        return mean;
    }

    /** @return the buffers after each update was copied into them: the streaming read baseline */
    @Benchmark
    public float[][] copy() {
        for (ModelParameters update : data) {
            List<Tensor> tensors = update.tensors();
            for (int t = 0; t < buffers.length; t++) {
                float[] from = tensors.get(t).data();
                System.arraycopy(from, 0, buffers[t], 0, from.length);
            }
        }
        return buffers;
    }

    /** @return the sum of every value: the plain-loop baseline (a float reduction C2 cannot reorder) */
    @Benchmark
    public double sum() {
        double total = 0;
        for (ModelParameters update : data) {
            for (Tensor t : update.tensors()) {
                float[] x = t.data();
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int j = 0;
                for (; j + 3 < x.length; j += 4) {
                    s0 += x[j];
                    s1 += x[j + 1];
                    s2 += x[j + 2];
                    s3 += x[j + 3];
                }
                for (; j < x.length; j++) {
                    s0 += x[j];
                }
                total += s0 + s1 + s2 + s3;
            }
        }
        return total;
    }
}
