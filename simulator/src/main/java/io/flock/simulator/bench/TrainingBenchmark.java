package io.flock.simulator.bench;

import io.flock.core.FlockException;
import io.flock.core.InvalidInputException;
import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.core.train.LocalTrainer;
import io.flock.core.train.TrainingConfig;
import io.flock.simulator.report.ReportJson;
import io.flock.simulator.report.SampleStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * {@code bin/flock bench training}: one W1 device's local training (600 Fashion-MNIST samples of two labels,
 * MLP 784-200-200-10, SGD lr 0.1, batch 10, one epoch) on one thread, timed over many repetitions after a
 * warm-up, with the same training on DJL as the baseline in the same run. Every repetition of every run starts
 * from the same seeded parameters, so the work is identical; the report gives median, min and max per trainer.
 */
public final class TrainingBenchmark {
    private static final int SAMPLES = 600;
    private static final String SPEC = "mlp:784-200-200-10";
    private static final String PIPELINE = "scale:255:0.2860:0.3530";

    private final PrintStream out;

    /** @param out where progress and the summary go */
    public TrainingBenchmark(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs both trainers, interleaved (A B A B), and writes {@code outDir/report.json}.
     *
     * @param data    Fashion-MNIST directory
     * @param warmup  untimed repetitions per trainer first (JIT)
     * @param reps    timed repetitions per trainer, >= 3
     * @return the report as written
     */
    public Map<String, Object> run(Path data, int warmup, int reps, Path outDir) throws IOException {
        if (reps < 3 || warmup < 0) {
            throw new ConfigException("bench training needs --reps >= 3 and --warmup >= 0, got " + reps + " and " + warmup);
        }
        ByteDataset part = twoLabels(IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"),
                data.resolve("train-labels-idx1-ubyte.gz")));
        ModelSpec spec = ModelSpec.parse(SPEC);
        FeaturePipeline pipeline = FeaturePipeline.parse(PIPELINE);
        TrainingConfig config = new TrainingConfig(0.1f, 10, 1);
        Map<String, LocalTrainer> trainers = new LinkedHashMap<>();
        trainers.put("dense", new LocalTrainer());
        trainers.put("djl", LocalTrainer.onDjlOnly());
        Map<String, double[]> millis = new LinkedHashMap<>();
        ai.djl.engine.Engine.getInstance().setRandomSeed(0); // the same start parameters in every run, as the coordinator does
        try (FlockModel model = new FlockModel(spec, "bench")) {
            ModelParameters start = model.parameters();
            out.printf("bench training: %d samples of labels 3 and 7, %s, batch 10, one epoch; %d warm-up + %d timed per trainer%n",
                    SAMPLES, SPEC, warmup, reps);
            for (String name : trainers.keySet()) {
                millis.put(name, new double[reps]);
            }
            for (int i = -warmup; i < reps; i++) {
                for (Map.Entry<String, LocalTrainer> t : trainers.entrySet()) {
                    model.load(start);
                    long t0 = System.nanoTime();
                    try {
                        t.getValue().train(model, part, pipeline, config, new Random(i & 0xff));
                    } catch (InvalidInputException e) {
                        throw new FlockException("bench training: the " + t.getKey() + " trainer failed at repetition " + i
                                + " (negative = warm-up): " + e.getMessage(), e);
                    }
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (i >= 0) {
                        millis.get(t.getKey())[i] = ms;
                    }
                }
                if (i >= 0 && (i + 1) % Math.max(1, reps / 5) == 0) {
                    out.printf("  %d/%d timed repetitions%n", i + 1, reps);
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "training");
        report.put("config", Map.of("samples", SAMPLES, "model", SPEC, "pipeline", PIPELINE, "batch", 10, "learningRate", 0.1,
                "epochs", 1, "warmup", warmup, "reps", reps, "threads", 1, "data", data.toString()));
        SampleStats dense = SampleStats.of(millis.get("dense"));
        SampleStats djl = SampleStats.of(millis.get("djl"));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("dense", stats(dense));
        results.put("djl", stats(djl));
        report.put("milliseconds", results);
        report.put("speedupOverDjl", djl.median() / dense.median());
        out.printf("dense kernel: median %.2f ms (min %.2f, max %.2f); DJL: median %.2f ms (min %.2f, max %.2f); %.1fx%n", dense.median(),
                dense.min(), dense.max(), djl.median(), djl.min(), djl.max(), djl.median() / dense.median());
        Files.createDirectories(outDir);
        ReportJson.write(outDir.resolve("report.json"), report);
        out.println("report in " + outDir.resolve("report.json").toAbsolutePath());
        return report;
    }

    /** The first {@link #SAMPLES} samples labelled 3 or 7: a pathological W1 device's two shards. */
    static ByteDataset twoLabels(ByteDataset train) {
        int[] picked = new int[SAMPLES];
        int n = 0;
        for (int i = 0; i < train.size() && n < SAMPLES; i++) {
            if (train.label(i) == 3 || train.label(i) == 7) {
                picked[n++] = i;
            }
        }
        if (n < SAMPLES) {
            throw new ConfigException("the dataset has only " + n + " samples labelled 3 or 7; bench training needs " + SAMPLES);
        }
        return train.subset(picked);
    }

    private static Map<String, Object> stats(SampleStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", s.median());
        m.put("min", s.min());
        m.put("max", s.max());
        return m;
    }
}
