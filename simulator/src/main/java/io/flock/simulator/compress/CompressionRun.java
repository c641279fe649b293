package io.flock.simulator.compress;

import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.ModelSpec;
import io.flock.core.tensor.ModelParameters;
import io.flock.simulator.demo.Demo;
import io.flock.simulator.demo.DemoOptions;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.report.RunReport;
import io.flock.simulator.scenario.ScenarioConfig;
import io.flock.simulator.scenario.ScenarioRunner;
import io.flock.simulator.scenario.Simulation;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/flock compress --train}: trains a model federated with the demo's fleet (real agents, embedded broker),
 * then runs the {@link CompressionStudy} on the final global model and writes its report.
 */
public final class CompressionRun {
    private final DemoOptions options;
    private final List<String> pipelines;
    private final PrintStream out;

    /**
     * @param options   the training run (devices, rounds, data, seed, coordinator overrides) and the output directory
     * @param pipelines the pipelines to compare
     * @param out       where the progress and the table go
     */
    public CompressionRun(DemoOptions options, List<String> pipelines, PrintStream out) {
        this.options = options;
        this.pipelines = pipelines;
        this.out = out;
    }

    /** @return the study's rows */
    public List<CompressionStudy.Row> run() throws Exception {
        long start = System.nanoTime();
        Path data = options.dataDir() != null ? options.dataDir() : BundledData.fashionMnist();
        ScenarioConfig scenario = Demo.scenario(options, data);
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        out.printf("flock compress: training %s federated, %d devices, %d rounds, data %s (%d train / %d test)%n", scenario.model(),
                options.devices(), options.rounds(), data, train.size(), test.size());
        ModelParameters trained;
        ModelVersion version;
        try (ScenarioRunner runner = new ScenarioRunner(scenario, Files.createDirectories(options.workDir()), out, WireTap.NONE, false,
                options.overrides())) {
            CoordinatorServer coordinator = runner.start(Simulation.partitions(scenario, train), data);
            runner.runRounds(new RunReport("compress", Map.of()));
            version = coordinator.registry().requireCurrent(coordinator.config().model().name());
            trained = coordinator.registry().globalParameters(version);
        }
        out.printf("trained version %d in %.1f s; compressing with %d pipelines%n", version.version(), (System.nanoTime() - start) / 1e9,
                pipelines.size());
        ModelSpec spec = ModelSpec.parse(version.spec());
        List<CompressionStudy.Row> rows = new CompressionStudy(spec, FeaturePipeline.parse(version.pipeline()), test).run(trained, pipelines);
        CompressionReport.print(rows, out);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("what", "one federated model compressed with each pipeline; accuracy and latency of the decoded model as an agent"
                + " loads and serves it (LocalModel, batch 1, one thread, after 1,000 warm-up predictions); no fine-tuning after pruning");
        context.put("model", version.spec());
        context.put("trainedVersion", version.version());
        context.put("devices", options.devices());
        context.put("rounds", options.rounds());
        context.put("seed", options.seed());
        context.put("data", data.toString());
        context.put("testImages", test.size());
        Path dir = Files.createDirectories(options.outDir());
        CompressionReport.write(rows, context, dir, "Flock compression: " + version.spec() + ", " + test.size() + " test images");
        out.printf("compression.json and compression.png in %s%n", dir.toAbsolutePath());
        return rows;
    }
}
