package io.flock.simulator.bench;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.CoordinatorGrpc;
import io.flock.proto.v1.PredictRequest;
import io.flock.simulator.report.ReportJson;
import io.flock.simulator.report.SampleStats;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/flock bench serving}: offloaded predictions of the cloud model (the CNN) over gRPC on loopback, from
 * {@code clients} concurrent callers. Two coordinators run side by side, one serving at batch size 1 and one with
 * dynamic batching, both with the cache off, and are measured in turn, {@code reps} times each, interleaved. Then
 * one caller measures cache hits against misses on the batching coordinator with the cache on. The report gives
 * throughput and latency percentiles per repetition, and the ratios.
 */
public final class ServingBenchmark {
    private static final String SPEC = "cnn:28x28-16-32-128-10";
    private final PrintStream out;

    /** @param out where progress and the summary go */
    public ServingBenchmark(PrintStream out) {
        this.out = out;
    }

    /** Runs the benchmark and writes {@code report.json} to {@code outDir}. */
    public Map<String, Object> run(Path data, Path work, int clients, int seconds, int reps, Path outDir) throws Exception {
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        List<PredictRequest> requests = new ArrayList<>();
        for (int i = 0; i < Math.min(test.size(), 5000); i++) {
            float[] raw = new float[test.featureCount()];
            test.copyRawFeatures(i, raw, 0);
            requests.add(PredictionMessages.request("bench", "", raw));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("what", "offloaded predictions of " + SPEC + " over gRPC on loopback, " + clients + " concurrent callers, " + seconds
                + " s a repetition; batch-1 and dynamic batching interleaved, cache off; then cache hits against misses, one caller");
        report.put("clients", clients);
        try (CoordinatorServer single = start(work.resolve("single"), Map.of("serving.max-batch", "1", "serving.max-delay", "0ms",
                "serving.cache-entries", "0"));
             CoordinatorServer batching = start(work.resolve("batching"), Map.of("serving.max-batch", "16", "serving.max-delay", "2ms",
                     "serving.cache-entries", "0"))) {
            List<Map<String, Object>> singleRuns = new ArrayList<>();
            List<Map<String, Object>> batchRuns = new ArrayList<>();
            load(single, requests, clients, 2); // warm-up: JIT and native engine
            load(batching, requests, clients, 2);
            for (int r = 0; r < reps; r++) {
                singleRuns.add(load(single, requests, clients, seconds));
                batchRuns.add(load(batching, requests, clients, seconds));
                out.printf("rep %d/%d: batch-1 %.0f req/s p99 %.1f ms; batching %.0f req/s p99 %.1f ms (mean batch %.1f)%n", r + 1, reps,
                        (double) singleRuns.get(r).get("throughput"), (double) singleRuns.get(r).get("p99Ms"),
                        (double) batchRuns.get(r).get("throughput"), (double) batchRuns.get(r).get("p99Ms"),
                        (double) batching.serving().queue().rows() / Math.max(1, batching.serving().queue().batches()));
            }
            double[] ratios = new double[reps];
            for (int r = 0; r < reps; r++) {
                ratios[r] = (double) batchRuns.get(r).get("throughput") / (double) singleRuns.get(r).get("throughput");
            }
            report.put("batch1", singleRuns);
            report.put("batching", batchRuns);
            report.put("throughputRatio", summary(ratios));
            out.printf("dynamic batching / batch-1 throughput: median %.2fx (%.2f-%.2f)%n", SampleStats.percentile(sorted(ratios), 0.5),
                    Arrays.stream(ratios).min().orElse(0), Arrays.stream(ratios).max().orElse(0));
        }
        try (CoordinatorServer cached = start(work.resolve("cached"), Map.of("serving.max-batch", "16", "serving.max-delay", "2ms"))) {
            report.put("cache", cache(cached, requests));
        }
        Files.createDirectories(outDir);
        ReportJson.write(outDir.resolve("report.json"), report);
        out.printf("report.json in %s%n", outDir.toAbsolutePath());
        return report;
    }

    private static CoordinatorServer start(Path dir, Map<String, String> serving) throws Exception {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data-dir", dir.toString());
        f.put("grpc.port", "0");
        f.put("mqtt.embedded-port", "0");
        f.put("security.mode", "insecure"); // measures serving, over a plaintext channel: TLS costs are measured apart (W1, push-1k)
        f.put("metrics.port", "-1");
        f.put("http.port", "-1");
        f.put("model.name", "bench");
        f.put("model.spec", SPEC);
        f.put("push.codec", "fp32");
        f.put("serving.workers", "2");
        f.putAll(serving);
        return new CoordinatorServer(CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), f))).start();
    }

    /** {@code clients} callers, each sending one request after another for {@code seconds}. */
    private static Map<String, Object> load(CoordinatorServer c, List<PredictRequest> requests, int clients, int seconds) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", c.port()).usePlaintext().build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CoordinatorGrpc.CoordinatorBlockingStub stub = CoordinatorGrpc.newBlockingStub(channel);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Future<double[]>> callers = new ArrayList<>();
            for (int k = 0; k < clients; k++) {
                int offset = k * 97;
                callers.add(pool.submit(() -> {
                    double[] ms = new double[1 << 16];
                    int n = 0;
                    while (System.nanoTime() < end && n < ms.length) {
                        long t = System.nanoTime();
                        stub.withDeadlineAfter(5, TimeUnit.SECONDS).predict(requests.get((offset + n) % requests.size()));
                        ms[n++] = (System.nanoTime() - t) / 1e6;
                    }
                    return Arrays.copyOf(ms, n);
                }));
            }
            List<Double> all = new ArrayList<>();
            for (Future<double[]> f : callers) {
                for (double v : f.get()) {
                    all.add(v);
                }
            }
            double[] ms = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", ms.length);
            m.put("throughput", ms.length / (double) seconds);
            m.put("p50Ms", SampleStats.percentile(ms, 0.5));
            m.put("p99Ms", SampleStats.percentile(ms, 0.99));
            return m;
        } finally {
            pool.shutdownNow();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** One caller: 500 new inputs (misses), then the same 500 again (hits), at the serving layer and over gRPC. */
    private Map<String, Object> cache(CoordinatorServer c, List<PredictRequest> requests) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", c.port()).usePlaintext().build();
        try {
            CoordinatorGrpc.CoordinatorBlockingStub stub = CoordinatorGrpc.newBlockingStub(channel);
            for (int i = 2000; i < 2300; i++) { // warm-up on inputs not measured
                stub.predict(requests.get(i));
            }
            double[] missGrpc = new double[500];
            double[] hitGrpc = new double[500];
            for (int i = 0; i < 500; i++) {
                long t = System.nanoTime();
                stub.predict(requests.get(i));
                missGrpc[i] = (System.nanoTime() - t) / 1e6;
            }
            for (int i = 0; i < 500; i++) {
                long t = System.nanoTime();
                stub.predict(requests.get(i));
                hitGrpc[i] = (System.nanoTime() - t) / 1e6;
            }
            double[] missLayer = new double[500];
            double[] hitLayer = new double[500];
            for (int i = 0; i < 500; i++) {
                float[] raw = PredictionMessages.features(requests.get(1000 + i));
                long t = System.nanoTime();
                c.serving().predict("bench", raw, Long.MAX_VALUE).get();
                missLayer[i] = (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                c.serving().predict("bench", raw, Long.MAX_VALUE).get();
                hitLayer[i] = (System.nanoTime() - t) / 1e6;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("grpcMissP50Ms", SampleStats.percentile(sorted(missGrpc), 0.5));
            m.put("grpcHitP50Ms", SampleStats.percentile(sorted(hitGrpc), 0.5));
            m.put("grpcRatio", SampleStats.percentile(sorted(missGrpc), 0.5) / SampleStats.percentile(sorted(hitGrpc), 0.5));
            m.put("servingMissP50Ms", SampleStats.percentile(sorted(missLayer), 0.5));
            m.put("servingHitP50Ms", SampleStats.percentile(sorted(hitLayer), 0.5));
            m.put("servingRatio", SampleStats.percentile(sorted(missLayer), 0.5) / SampleStats.percentile(sorted(hitLayer), 0.5));
            out.printf("cache: miss p50 %.3f ms, hit p50 %.3f ms over gRPC (%.1fx); %.3f ms against %.4f ms at the serving layer (%.0fx)%n",
                    m.get("grpcMissP50Ms"), m.get("grpcHitP50Ms"), m.get("grpcRatio"), m.get("servingMissP50Ms"), m.get("servingHitP50Ms"),
                    m.get("servingRatio"));
            return m;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static double[] sorted(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c;
    }

    private static Map<String, Double> summary(double[] v) {
        double[] s = sorted(v);
        return Map.of("median", SampleStats.percentile(s, 0.5), "min", s[0], "max", s[s.length - 1]);
    }
}
