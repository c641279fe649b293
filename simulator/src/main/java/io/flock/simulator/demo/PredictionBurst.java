package io.flock.simulator.demo;

import io.flock.agent.EdgeAgent;
import io.flock.core.data.Dataset;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.LocalPredictionGrpc;
import io.flock.proto.v1.PredictRequest;
import io.flock.proto.v1.PredictResponse;
import io.flock.simulator.report.SampleStats;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Plays apps on the devices: sends predictions for known test samples through each agent's local
 * gRPC API and tallies where the answers came from, their accuracy and latency.
 */
final class PredictionBurst {
    private PredictionBurst() {
    }

    /** Tally of one burst. */
    record Tally(int requests, int local, int offloaded, int fallback, int errors, int correct, double p50Ms, double p99Ms) {
        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", requests);
            m.put("local", local);
            m.put("offloaded", offloaded);
            m.put("fallback", fallback);
            m.put("errors", errors);
            m.put("accuracy", requests == 0 ? Double.NaN : (double) correct / requests);
            m.put("p50LatencyMs", p50Ms);
            m.put("p99LatencyMs", p99Ms);
            return m;
        }
    }

    /** @return the sample the {@code k}-th request to agent {@code a} asks about */
    static int sample(int offset, int a, int perAgent, int k, int size) {
        return (offset + a * perAgent + k) % size;
    }

    static Tally run(List<EdgeAgent> agents, Dataset samples, int perAgent, int offset) {
        int local = 0;
        int offloaded = 0;
        int fallback = 0;
        int errors = 0;
        int correct = 0;
        List<Double> latencies = new ArrayList<>();
        float[] raw = new float[samples.featureCount()];
        for (int a = 0; a < agents.size(); a++) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", agents.get(a).localApiPort()).usePlaintext().build();
            try {
                LocalPredictionGrpc.LocalPredictionBlockingStub app = LocalPredictionGrpc.newBlockingStub(ch);
                for (int k = 0; k < perAgent; k++) {
                    int i = sample(offset, a, perAgent, k, samples.size());
                    samples.copyRawFeatures(i, raw, 0);
                    PredictRequest.Builder req = PredictionMessages.request("", "", raw).toBuilder().setRequestId("app-" + a + "-" + k);
                    long t = System.nanoTime();
                    try {
                        PredictResponse r = app.withDeadlineAfter(5, TimeUnit.SECONDS).predict(req.build());
                        latencies.add((System.nanoTime() - t) / 1e6);
                        switch (r.getSource()) {
                            case LOCAL -> local++;
                            case OFFLOADED -> offloaded++;
                            case FALLBACK -> fallback++;
                            default -> errors++;
                        }
                        if (r.getLabel() == samples.label(i)) {
                            correct++;
                        }
                    } catch (StatusRuntimeException e) {
                        errors++;
                    }
                }
            } finally {
                ch.shutdownNow();
            }
        }
        double[] l = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Tally(agents.size() * perAgent, local, offloaded, fallback, errors, correct, SampleStats.percentile(l, 0.5),
                SampleStats.percentile(l, 0.99));
    }
}
