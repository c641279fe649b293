package io.flock.simulator.bench;

import io.flock.agent.inference.LocalModel;
import io.flock.agent.link.CoordinatorClient;
import io.flock.agent.link.WireTap;
import io.flock.agent.offload.Answer;
import io.flock.agent.offload.ConfidenceOffloadPolicy;
import io.flock.agent.offload.OffloadPolicy;
import io.flock.agent.offload.OffloadRouter;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.core.model.FlockModel;
import io.flock.core.model.ModelSpec;
import io.flock.core.net.FreePorts;
import io.flock.link.wire.PredictionMessages;
import io.flock.simulator.report.ReportJson;
import io.flock.simulator.report.SampleStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bin/flock bench fallback}: the agent's answer path (its {@link OffloadRouter} over the device model and a real
 * gRPC {@link CoordinatorClient}) when the cloud is gone, against answering locally. Three cases, each from
 * {@code callers} concurrent app threads: local only (nothing offloaded: the device model's own latency); every
 * request offloaded to a port where nothing listens (connection refused); and every request offloaded to a cloud that
 * accepts connections and never answers (a hung or partitioned coordinator), where only the offload timeout ends the
 * wait. The report gives each case's latency percentiles as the agent reports them, and how many answers came within
 * the offload timeout plus 5 ms. Each case starts with untimed requests (1,000; 10 for the hung cloud).
 */
public final class FallbackBenchmark {
    private static final String SPEC = "mlp:784-200-200-10";
    /** Untimed requests before a case is measured. */
    private static final int WARM_UP = 1000;
    private final PrintStream out;

    /** @param out where progress and the summary go */
    public FallbackBenchmark(PrintStream out) {
        this.out = out;
    }

    /** Runs the three cases and writes {@code report.json} to {@code outDir}. */
    public Map<String, Object> run(Path data, int requests, int callers, Duration timeout, Path outDir) throws Exception {
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        ModelSpec spec = ModelSpec.parse(SPEC);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("what", "the agent's answer path (OffloadRouter, " + SPEC + " on the device, a real gRPC client) from " + callers
                + " concurrent app threads, " + requests + " requests a case; latency as the agent reports it");
        report.put("offloadTimeoutMs", timeout.toMillis());
        try (LocalModel local = new LocalModel(); FlockModel init = new FlockModel(spec, "bench-init");
             ServerSocket hung = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            local.swap("bench", 1, "0".repeat(64), spec, FeaturePipeline.parse("scale:255"), init.parameters());
            Thread acceptor = holdConnections(hung);
            Map<String, Object> cases = new LinkedHashMap<>();
            String refused = "127.0.0.1:" + FreePorts.restartable();
            cases.put("local", measure("local", local, OffloadPolicy.NEVER, refused, test, requests, callers, timeout, WARM_UP));
            cases.put("cloudRefused", measure("cloud refused", local, new ConfidenceOffloadPolicy(1.0), refused, test, requests, callers,
                    timeout, WARM_UP));
            cases.put("cloudHung", measure("cloud hung", local, new ConfidenceOffloadPolicy(1.0), "127.0.0.1:" + hung.getLocalPort(), test,
                    requests, callers, timeout, 10)); // each warm-up request waits the whole timeout
            acceptor.interrupt();
            report.put("cases", cases);
        }
        Files.createDirectories(outDir);
        ReportJson.write(outDir.resolve("report.json"), report);
        out.printf("report.json in %s%n", outDir.toAbsolutePath());
        return report;
    }

    private Map<String, Object> measure(String name, LocalModel local, OffloadPolicy policy, String cloud, ByteDataset test, int requests,
                                        int callers, Duration timeout, int warmUp) throws Exception {
        try (CoordinatorClient client = new CoordinatorClient(cloud, "bench-device", WireTap.NONE, () -> true)) {
            OffloadRouter router = new OffloadRouter("bench", local, policy,
                    (model, raw, t) -> PredictionMessages.prediction(client.predict(PredictionMessages.request(model, "bench-device", raw), t)),
                    timeout);
            float[] first = new float[test.featureCount()];
            for (int k = 0; k < warmUp; k++) { // untimed: the JIT compiles the path, the channel settles into its state
                test.copyRawFeatures(k % test.size(), first, 0);
                router.answer(first);
            }
            ExecutorService apps = Executors.newFixedThreadPool(callers);
            List<Future<List<Answer>>> parts = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                parts.add(apps.submit(() -> {
                    List<Answer> answers = new ArrayList<>();
                    float[] raw = new float[test.featureCount()];
                    for (int k = caller; k < requests; k += callers) {
                        test.copyRawFeatures(k % test.size(), raw, 0);
                        answers.add(router.answer(raw));
                    }
                    return answers;
                }));
            }
            Map<Answer.Source, Integer> sources = new EnumMap<>(Answer.Source.class);
            List<Double> ms = new ArrayList<>();
            for (Future<List<Answer>> f : parts) {
                for (Answer a : f.get()) {
                    sources.merge(a.source(), 1, Integer::sum);
                    ms.add(a.latencyMs());
                }
            }
            apps.shutdown();
            double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double bound = timeout.toMillis() + 5;
            long within = Arrays.stream(sorted).filter(v -> v <= bound).count();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("answers", sorted.length);
            m.put("sources", sources);
            m.put("p50Ms", SampleStats.percentile(sorted, 0.5));
            m.put("p99Ms", SampleStats.percentile(sorted, 0.99));
            m.put("maxMs", sorted[sorted.length - 1]);
            m.put("withinTimeoutPlus5Ms", within);
            out.printf("%-14s %5d answers %s  p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  within %d ms: %d of %d%n", name, sorted.length, sources,
                    SampleStats.percentile(sorted, 0.5), SampleStats.percentile(sorted, 0.99), sorted[sorted.length - 1], (long) bound, within,
                    sorted.length);
            return m;
        }
    }

    /** Accepts connections and holds them open without reading or answering, as a hung coordinator would. */
    private static Thread holdConnections(ServerSocket server) {
        List<Socket> held = new ArrayList<>();
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    held.add(server.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "bench-hung-cloud");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
