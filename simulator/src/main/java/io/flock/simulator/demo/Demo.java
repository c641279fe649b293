package io.flock.simulator.demo;

import io.flock.agent.EdgeAgent;
import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.core.codec.Codecs;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.ModelSpec;
import io.flock.core.net.FreePorts;
import io.flock.core.train.TrainingConfig;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.report.Megabytes;
import io.flock.simulator.report.Plots;
import io.flock.simulator.report.RunReport;
import io.flock.simulator.scenario.DeviceProfile;
import io.flock.simulator.scenario.ScenarioConfig;
import io.flock.simulator.scenario.ScenarioRunner;
import io.flock.simulator.scenario.Simulation;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The one-command demo: a coordinator with an embedded broker and H2, plus real agents with their
 * own MQTT and gRPC connections, train on Fashion-MNIST partitioned non-IID (Dirichlet 0.5): first a heavier cloud
 * model, then the compact device model, whose offloads the cloud model answers with a calibrated threshold; then
 * apps ask the agents for predictions, with the cloud up and then gone; a report and plots are written.
 */
public final class Demo {
    /** How often the demo's devices report telemetry: its dashboard fills within seconds. */
    private static final Duration TELEMETRY = Duration.ofSeconds(2);
    private boolean serve;
    private final DemoOptions options;
    private final PrintStream out;

    /** @param options what to run; @param out where progress goes */
    public Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** @return the demo as a scenario: Dirichlet(0.5), every device every round, ideal devices */
    ScenarioConfig scenario(Path data) {
        return scenario(options, data);
    }

    /** @return the demo's scenario for {@code options}, which {@code bin/flock compress --train} also runs */
    public static ScenarioConfig scenario(DemoOptions options, Path data) {
        return new ScenarioConfig("demo", data.toString(), new ScenarioConfig.PartitionSpec("dirichlet", 0.5, 2, options.seed()),
                options.devices(), options.devices(), options.devices(), options.rounds(), ScenarioConfig.Workload.TRAIN,
                ModelSpec.parse(options.overrides().getOrDefault("model.spec", "mlp:784-200-200-10")),
                options.overrides().getOrDefault("model.pipeline", "scale:255"),
                new TrainingConfig(0.05f, 10, 1), Duration.ofSeconds(60), "int8", "fp32", false, List.of(DeviceProfile.ideal()), List.of(),
                ScenarioConfig.Transport.DEDICATED, 100, ScenarioConfig.BrokerPlacement.IN_PROCESS, options.seed(), 0, 0, Map.of(), null);
    }

    /**
     * Keeps the coordinator up after the demo (it was stopped for the "cloud gone" phase: it comes back on the same
     * database and ports), its devices answering a few app predictions a second so the dashboard moves, until Ctrl-C.
     *
     * @return this demo
     */
    public Demo serveUntilInterrupted(boolean keepServing) {
        this.serve = keepServing;
        return this;
    }

    private void serve(ScenarioRunner runner, List<EdgeAgent> agents, ByteDataset asked) throws Exception {
        CoordinatorServer coordinator = runner.fleet().restartCoordinator();
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            runner.close(); // Ctrl-C: close the agents, the coordinator (H2 last) and the broker in order
        }, "flock-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("serving until Ctrl-C; dashboard: " + coordinator.dashboardUrl().orElse("off (metrics.port=-1)"));
        while (!stop.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
            PredictionBurst.run(agents, asked, 2, 0);
        }
    }

    /** Runs the demo and returns its report. */
    public RunReport run(WireTap tap) throws Exception {
        long start = System.nanoTime();
        Path data = options.dataDir() != null ? options.dataDir() : BundledData.fashionMnist();
        ScenarioConfig scenario = scenario(data);
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        out.printf("flock demo: %d devices, %d rounds, %s, data %s (%d train / %d test), Dirichlet(0.5) partition%n",
                options.devices(), options.rounds(), scenario.model(), data, train.size(), test.size());
        Map<String, String> overrides = new LinkedHashMap<>(options.overrides());
        Map<String, Object> cloud = options.hybrid() ? trainCloud(data, train, tap, overrides) : null;
        RunReport report = new RunReport("demo", Map.of());
        Map<String, Object> predictions = new LinkedHashMap<>();
        Path dir = Files.createDirectories(options.outDir());
        overrides.putIfAbsent("metrics.port", String.valueOf(FreePorts.restartable())); // the dashboard's; the same after a restart
        try (ScenarioRunner runner = new ScenarioRunner(scenario, Files.createDirectories(options.workDir()), out, tap, true, overrides)
                .telemetryEvery(TELEMETRY)) {
            CoordinatorServer coordinator = runner.start(Simulation.partitions(scenario, train), data);
            report = new RunReport("demo", reportConfig(coordinator, data));
            out.printf("coordinator, embedded MQTT broker, H2 and %d agents up in %.1f s%n", options.devices(), (System.nanoTime() - start) / 1e9);
            coordinator.dashboardUrl().ifPresent(u -> out.println("dashboard: " + u + " (fleet, rounds, rollouts, drift, serving; refreshes itself)"));
            runner.runRounds(report);
            report.section("artifacts", artifacts(coordinator));
            // the threshold was calibrated on the test set's first half: the apps ask about the second half
            ByteDataset asked = test.subset(IntStream.range(test.size() / 2, test.size()).toArray());
            List<EdgeAgent> agents = runner.fleet().agents();
            PredictionBurst.Tally online = PredictionBurst.run(agents, asked, options.predictionsPerAgent(), 0);
            predictions.put("coordinatorUp", online.asMap());
            print("with the cloud up:  ", online);
            if (cloud != null) {
                Map<String, Object> hybrid = HybridReport.measure(agents, coordinator, asked, options.predictionsPerAgent(), online);
                hybrid.put("cloudTraining", cloud);
                report.section("hybrid", hybrid);
                out.printf("hybrid on the same %d requests: device model alone %.4f, cloud model alone %.4f, hybrid %.4f with %.1f %% offloaded%n",
                        (int) hybrid.get("requests"), (double) hybrid.get("localOnlyAccuracy"), (double) hybrid.get("cloudOnlyAccuracy"),
                        (double) hybrid.get("hybridAccuracy"), 100 * (double) hybrid.get("offloadRate"));
                HybridReport.plot(coordinator, dir);
            }
            runner.fleet().stopCoordinator();
            PredictionBurst.Tally offline = PredictionBurst.run(agents, asked, Math.max(1, options.predictionsPerAgent() / 5), 2500);
            predictions.put("coordinatorDown", offline.asMap());
            print("with the cloud gone:", offline);
            if (serve) {
                report.section("predictions", predictions);
                report.write(dir, (System.nanoTime() - start) / 1e9);
                serve(runner, agents, asked);
            }
        }
        report.section("predictions", predictions);
        double total = (System.nanoTime() - start) / 1e9;
        report.write(dir, total);
        Plots.accuracy(report, dir, "Flock demo: test accuracy per round (" + options.devices() + " devices, Dirichlet 0.5)");
        Plots.bytes(report, dir, "Flock demo: payload bytes per round");
        Map<String, Object> summary = report.summary(total);
        out.printf("final accuracy %.4f, wall time %.1f s, peak RSS %.0f MB; report and plots in %s%n",
                (double) summary.get("finalAccuracy"), total, Megabytes.of((long) summary.get("peakRssBytes")), dir.toAbsolutePath());
        return report;
    }

    /**
     * Trains the cloud model with the same fleet and data, in a registry the device model's coordinator then opens, and
     * points {@code overrides} at it: that coordinator serves the cloud model for offloads and calibrates the threshold.
     *
     * @return what the cloud training gave, for the report
     */
    private Map<String, Object> trainCloud(Path data, ByteDataset train, WireTap tap, Map<String, String> overrides) throws Exception {
        long start = System.nanoTime();
        Map<String, String> set = new LinkedHashMap<>(options.overrides());
        set.put("model.name", DemoOptions.CLOUD_MODEL);
        set.put("model.spec", options.cloudSpec());
        set.put("push.codec", "fp32");
        DemoOptions cloud = new DemoOptions(options.devices(), options.cloudRounds(), 0, options.dataDir(), options.workDir(),
                options.outDir(), options.seed(), set);
        ScenarioConfig scenario = scenario(cloud, data);
        out.printf("cloud model: %s trained federated by the same %d devices for %d rounds%n", options.cloudSpec(), options.devices(),
                options.cloudRounds());
        Path work = Files.createDirectories(options.workDir().resolve("cloud"));
        Map<String, Object> m = new LinkedHashMap<>();
        try (ScenarioRunner runner = new ScenarioRunner(scenario, work, out, tap, false, set)) {
            CoordinatorServer coordinator = runner.start(Simulation.partitions(scenario, train), data);
            RunReport rounds = new RunReport("cloud", Map.of());
            runner.runRounds(rounds);
            ModelVersion v = coordinator.registry().requireCurrent(DemoOptions.CLOUD_MODEL);
            m.put("model", DemoOptions.CLOUD_MODEL);
            m.put("spec", options.cloudSpec());
            m.put("rounds", options.cloudRounds());
            m.put("version", v.version());
            m.put("testAccuracy", v.accuracy());
            m.put("seconds", (System.nanoTime() - start) / 1e9);
            out.printf("cloud model %s v%d: test accuracy %.4f after %.0f s; it answers the device model's offloads and is never pushed%n",
                    DemoOptions.CLOUD_MODEL, v.version(), v.accuracy(), (System.nanoTime() - start) / 1e9);
        }
        overrides.put("data-dir", work.resolve("coordinator").toString()); // the cloud model's registry
        overrides.put("serving.model", DemoOptions.CLOUD_MODEL);
        if (options.distill()) { // the device model learns from the cloud model's soft targets, computed on each device
            overrides.putIfAbsent("distill.teacher", DemoOptions.CLOUD_MODEL);
            out.printf("device model: a compact student of the cloud model (distillation on each device's own data)%n");
        }
        return m;
    }

    private void print(String phase, PredictionBurst.Tally t) {
        out.printf("app predictions %s %d requests: %d local, %d offloaded, %d fallback, %d errors; accuracy %.4f, p99 %.1f ms%n",
                phase, t.requests(), t.local(), t.offloaded(), t.fallback(), t.errors(), (double) t.correct() / t.requests(), t.p99Ms());
    }

    private Map<String, Object> artifacts(CoordinatorServer coordinator) {
        ModelVersion v = coordinator.registry().requireCurrent(coordinator.config().model().name());
        byte[] fp32 = Codecs.FP32.encode(coordinator.registry().globalParameters(v));
        long pushed = v.manifest().sizeBytes();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("version", v.version());
        a.put("codec", v.manifest().codec());
        a.put("fp32Bytes", fp32.length);
        a.put("artifactBytes", pushed);
        a.put("compressionRatio", (double) fp32.length / pushed);
        a.put("accuracy", v.accuracy());
        out.printf("artifact v%d: fp32 %d bytes, %s %d bytes (%.2fx smaller)%n", v.version(), fp32.length, v.manifest().codec(),
                pushed, (double) fp32.length / pushed);
        return a;
    }

    private Map<String, Object> reportConfig(CoordinatorServer c, Path data) {
        var cfg = c.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", data.toString());
        m.put("partition", Map.of("kind", "dirichlet", "alpha", 0.5, "seed", options.seed()));
        m.put("devices", options.devices());
        m.put("devicesPerRound", cfg.round().devices());
        m.put("rounds", options.rounds());
        m.put("model", cfg.model().spec().toString());
        m.put("optimizer", "sgd");
        m.put("learningRate", cfg.strategy().plan().training().learningRate());
        m.put("batchSize", cfg.strategy().plan().training().batchSize());
        m.put("localEpochs", cfg.strategy().plan().training().epochs());
        m.put("pushCodec", cfg.push().codec());
        m.put("updateCodec", cfg.strategy().plan().updateCodec());
        m.put("strategy", cfg.strategy().name());
        var teacher = cfg.strategy().plan().teacher();
        m.put("distillation", teacher == null ? "none" : Map.of("teacher", teacher.model(), "temperature",
                teacher.distillation().temperature(), "alpha", teacher.distillation().alpha()));
        m.put("servingModel", cfg.serving().model().isEmpty() ? cfg.model().name() : cfg.serving().model());
        m.put("transport", "embedded HiveMQ CE MQTT 5 + gRPC/Netty on loopback, one connection pair per device");
        return m;
    }
}
