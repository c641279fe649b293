package io.flock.simulator.demo;

import io.flock.agent.link.WireTap;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.registry.ModelVersion;
import io.flock.coordinator.round.RoundResult;
import io.flock.core.codec.Codecs;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.core.partition.DirichletPartitioner;
import io.flock.core.tensor.ModelParameters;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.fleet.LocalFleet;
import io.flock.simulator.report.Plots;
import io.flock.simulator.report.RoundRow;
import io.flock.simulator.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The one-command demo: a coordinator with the embedded broker and H2, plus real agents with their
 * own MQTT and gRPC connections, train on Fashion-MNIST partitioned non-IID (Dirichlet 0.5); then
 * apps ask the agents for predictions, with the cloud up and then gone; a report and plots are written.
 */
public final class Demo {
    private final DemoOptions options;
    private final PrintStream out;

    /** @param options what to run; @param out where progress goes */
    public Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the demo and returns its report. */
    public RunReport run(WireTap tap) throws Exception {
        long start = System.nanoTime();
        Path data = options.dataDir() != null ? options.dataDir() : BundledData.fashionMnist();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        int[][] parts = new DirichletPartitioner(0.5, 20).partition(train.labels(), options.devices(), new Random(options.seed()));
        List<ByteDataset> partitions = new ArrayList<>();
        for (int[] p : parts) {
            partitions.add(train.subset(p));
        }
        Path work = Files.createDirectories(options.workDir());
        Map<String, String> flags = new LinkedHashMap<>(options.coordinatorSettings());
        flags.put("data-dir", work.resolve("coordinator").toString());
        flags.put("eval.data-dir", data.toString());
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), flags));
        out.printf("flock demo: %d devices, %d rounds, %s, data %s (%d train / %d test), Dirichlet(0.5) partition%n",
                options.devices(), options.rounds(), config.modelSpec(), data, train.size(), test.size());
        RunReport report = new RunReport("demo", reportConfig(config, data));
        try (LocalFleet fleet = new LocalFleet(work, tap, (id, c) -> c)) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            fleet.startAgents(partitions, coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(60));
            out.printf("coordinator, embedded MQTT broker (%s), H2 and %d agents up in %.1f s%n", coordinator.mqttUrl(),
                    options.devices(), (System.nanoTime() - start) / 1e9);
            for (int r = 1; r <= options.rounds(); r++) {
                long down = fleet.bytesDown();
                long up = fleet.bytesUp();
                RoundResult result = coordinator.rounds().runRound();
                fleet.awaitReady(result.version(), Duration.ofSeconds(30));
                RoundRow row = new RoundRow(result.round(), result.accuracy(), result.loss(), result.seconds(), result.accepted(),
                        result.failures(), fleet.bytesDown() - down, fleet.bytesUp() - up);
                report.add(row);
                double elapsed = (System.nanoTime() - start) / 1e9;
                out.printf("round %2d/%d  accuracy %.4f  loss %.3f  %5.2f s  %d ok %d failed  down %5.2f MB  up %5.2f MB  elapsed %4.0f s  eta %3.0f s%n",
                        r, options.rounds(), row.accuracy(), row.loss(), row.seconds(), row.participants(), row.failures(),
                        row.bytesDown() / 1e6, row.bytesUp() / 1e6, elapsed, elapsed / r * (options.rounds() - r));
            }
            report.section("artifacts", artifacts(coordinator, test));
            Map<String, Object> predictions = new LinkedHashMap<>();
            PredictionBurst.Tally online = PredictionBurst.run(fleet.agents(), test, options.predictionsPerAgent(), 0);
            predictions.put("coordinatorUp", online.asMap());
            out.printf("app predictions with the cloud up:   %d requests: %d local, %d offloaded, %d fallback, %d errors; accuracy %.4f, p99 %.1f ms%n",
                    online.requests(), online.local(), online.offloaded(), online.fallback(), online.errors(),
                    (double) online.correct() / online.requests(), online.p99Ms());
            fleet.stopCoordinator();
            PredictionBurst.Tally offline = PredictionBurst.run(fleet.agents(), test, Math.max(1, options.predictionsPerAgent() / 5), 5000);
            predictions.put("coordinatorDown", offline.asMap());
            out.printf("app predictions with the cloud gone: %d requests: %d local, %d offloaded, %d fallback, %d errors; accuracy %.4f%n",
                    offline.requests(), offline.local(), offline.offloaded(), offline.fallback(), offline.errors(),
                    (double) offline.correct() / offline.requests());
            report.section("predictions", predictions);
        }
        double total = (System.nanoTime() - start) / 1e9;
        Path dir = Files.createDirectories(options.outDir());
        report.write(dir, total);
        Plots.accuracy(report, dir, "Flock demo: test accuracy per round (" + options.devices() + " devices, Dirichlet 0.5)");
        Plots.bytes(report, dir, "Flock demo: payload bytes per round");
        Map<String, Object> summary = report.summary(total);
        out.printf("final accuracy %.4f, wall time %.1f s, peak RSS %d MB; report and plots in %s%n",
                (double) summary.get("finalAccuracy"), total, (long) summary.get("peakRssBytes") >> 20, dir.toAbsolutePath());
        return report;
    }

    private Map<String, Object> artifacts(CoordinatorServer coordinator, ByteDataset test) {
        ModelVersion v = coordinator.registry().requireCurrent(coordinator.config().modelName());
        ModelParameters exact = coordinator.registry().globalParameters(v);
        byte[] fp32 = Codecs.FP32.encode(exact);
        byte[] pushed = coordinator.registry().artifact(v.manifest().sha256());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("version", v.version());
        a.put("codec", v.manifest().codec());
        a.put("fp32Bytes", fp32.length);
        a.put("artifactBytes", pushed.length);
        a.put("compressionRatio", (double) fp32.length / pushed.length);
        a.put("fp32Accuracy", v.accuracy());
        out.printf("artifact v%d: fp32 %d bytes, %s %d bytes (%.2fx smaller)%n", v.version(), fp32.length, v.manifest().codec(),
                pushed.length, (double) fp32.length / pushed.length);
        return a;
    }

    private Map<String, Object> reportConfig(CoordinatorConfig c, Path data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", data.toString());
        m.put("partition", Map.of("kind", "dirichlet", "alpha", 0.5, "seed", options.seed()));
        m.put("devices", options.devices());
        m.put("devicesPerRound", c.devicesPerRound());
        m.put("rounds", options.rounds());
        m.put("model", c.modelSpec().toString());
        m.put("optimizer", "sgd");
        m.put("learningRate", c.training().learningRate());
        m.put("batchSize", c.training().batchSize());
        m.put("localEpochs", c.training().epochs());
        m.put("pushCodec", c.artifactCodec());
        m.put("updateCodec", c.updateCodec());
        m.put("strategy", "fedavg");
        m.put("transport", "embedded HiveMQ CE MQTT 5 + gRPC/Netty on loopback, one connection pair per device");
        return m;
    }
}
