package io.flock.simulator.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flock.agent.AgentConfig;
import io.flock.agent.EdgeAgent;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.CoordinatorServer;
import io.flock.coordinator.cli.BatchCli;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.link.wire.PredictionMessages;
import io.flock.proto.v1.FetchBatchRequest;
import io.flock.proto.v1.LocalPredictionGrpc;
import io.flock.proto.v1.PredictResponse;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.fleet.LocalFleet;
import io.flock.simulator.report.RunReport;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records every payload that crosses MQTT and gRPC at every device during a demo-sized run (the cloud model's rounds,
 * then the device model's: pushes with their calibrated offload advice, fetches, offloaded and fallback predictions)
 * and during batch prediction pulls, and proves no training sample is in them. The batch pull's request is the one new
 * kind a device sends: it must carry a device id, a set name and an offset, and nothing else. The demo runs secure, so the
 * capture holds every device's enrollment request too: its id, hardware, token and a certification request naming only
 * its id and public key; the signed tasks it receives are scanned like every other payload. Devices report drift
 * statistics with their telemetry every 2 s: each report must hold counts in the announced bins and nothing else.
 */
@Timeout(240)
class PrivacyIT {
    @TempDir
    Path dir;

    /** @return the enrollment requests among {@code sent}, each checked to carry only CN=its device id and a public key */
    private static int enrollments(List<byte[]> sent) {
        int n = 0;
        for (byte[] p : sent) {
            io.flock.proto.v1.EnrollRequest r;
            org.bouncycastle.pkcs.PKCS10CertificationRequest csr;
            try {
                r = io.flock.proto.v1.EnrollRequest.parseFrom(p);
                if (!r.hasDevice() || r.getCertificationRequest().isEmpty()) {
                    continue;
                }
                csr = new org.bouncycastle.pkcs.PKCS10CertificationRequest(r.getCertificationRequest().toByteArray());
            } catch (Exception notOne) {
                continue; // another kind of message
            }
            assertThat(csr.getSubject().toString()).isEqualTo("CN=" + r.getDevice().getDeviceId());
            assertThat(csr.getAttributes()).as("no attributes in the request").isEmpty();
            assertThat(r.getUnknownFields().asMap()).isEmpty();
            n++;
        }
        return n;
    }

    /**
     * @return the telemetry reports among {@code sent} that carry drift statistics, each checked to hold only counts: one
     *         histogram per documented projection (10 bins each), the predicted-label and confidence histograms, their
     *         totals, feedback counts and a window start, every histogram summing to the answers counted
     */
    private static int statisticsReports(List<byte[]> sent) {
        int n = 0;
        for (byte[] p : sent) {
            io.flock.proto.v1.Telemetry t;
            try {
                t = io.flock.proto.v1.Telemetry.parseFrom(p);
            } catch (Exception notOne) {
                continue;
            }
            if (!t.hasStatistics() || !t.getDeviceId().startsWith("d-") || t.getStatistics().getProjectionsCount() == 0) {
                continue;
            }
            io.flock.proto.v1.DataStatistics s = t.getStatistics();
            assertThat(s.getUnknownFields().asMap()).isEmpty();
            assertThat(s.getFeatureHistogramCount()).as("no feature values").isZero();
            assertThat(s.getProjectionsList()).extracting(io.flock.proto.v1.ProjectionCounts::getName)
                    .containsExactlyElementsOf(io.flock.core.stats.InputProjections.NAMES);
            for (io.flock.proto.v1.ProjectionCounts c : s.getProjectionsList()) {
                assertThat(c.getCountsCount()).isEqualTo(10);
                assertThat(c.getCountsList().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.getSampleCount());
            }
            assertThat(s.getPredictedLabelCountsList().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.getSampleCount());
            assertThat(s.getConfidenceCountsCount()).isEqualTo(10);
            assertThat(s.getFeedbackErrors()).isLessThanOrEqualTo(s.getFeedbackCount());
            assertThat(s.getSerializedSize()).as("a few hundred bytes of counts").isLessThan(1024);
            n++;
        }
        return n;
    }

    /** @return training-sample windows the finder sees in the captured payloads */
    private static int leaks(SampleFinder finder, List<byte[]> captured) {
        int leaks = 0;
        synchronized (captured) {
            for (byte[] p : captured) {
                leaks += finder.matches(p);
            }
        }
        return leaks;
    }

    @Test
    void demoRun_noTrainingSampleCrossesTheWire() throws Exception {
        List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        AtomicLong mqtt = new AtomicLong();
        AtomicLong grpc = new AtomicLong();
        Path data = BundledData.subset();
        DemoOptions options = new DemoOptions(6, 2, 20, data, dir.resolve("work"), dir.resolve("out"), 0,
                Map.of("model.spec", "mlp:784-64-10"), "cnn:28x28-4-8-32-10", 2, true); // a cloud model too: its training, the
                                                                                     // calibrated announcements, its offloads

        List<byte[]> sentOverGrpc = Collections.synchronizedList(new ArrayList<>());
        RunReport report = new Demo(options, new PrintStream(PrintStream.nullOutputStream())).run((channel, outbound, payload) -> {
            captured.add(payload.clone());
            ("mqtt".equals(channel) ? mqtt : grpc).addAndGet(payload.length);
            if (outbound && "grpc".equals(channel)) {
                sentOverGrpc.add(payload.clone());
            }
        });
        // the demo runs secure: each device enrolled, and its request carries its id and its public key, nothing else
        assertThat(enrollments(sentOverGrpc)).as("enrollment requests, one per device").isEqualTo(6);
        statisticsReports(sentOverGrpc); // each checked; how many the demo's short run sends depends on its timing

        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        SampleFinder finder = new SampleFinder(train, FeaturePipeline.PIXELS);
        assertThat(finder.fingerprints()).isGreaterThan(5 * 8000);
        assertThat(finder.matches(SampleFinder.leakOf(train, 123, FeaturePipeline.PIXELS))).as("positive control").isGreaterThanOrEqualTo(2);
        assertThat(report.rounds()).hasSize(2);
        assertThat(mqtt.get()).isGreaterThan(100_000);
        assertThat(grpc.get()).isGreaterThan(1_000_000);
        int leaks = leaks(finder, captured);
        assertThat(leaks).as("training-sample windows found in %d payloads", captured.size()).isZero();
        assertThat(Files.exists(dir.resolve("out").resolve("report.json"))).isTrue();
        assertThat(Files.exists(dir.resolve("out").resolve("accuracy.png"))).isTrue();
        assertThat(Files.exists(dir.resolve("out").resolve("offload-curve.png"))).as("the threshold was calibrated").isTrue();
    }

    @Test
    void driftStatistics_areCountsInTheAnnouncedBins_noTrainingSampleCrossesTheWire() throws Exception {
        List<byte[]> outbound = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        Path data = BundledData.subset();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), Map.of(
                "data-dir", dir.resolve("s").toString(), "grpc.port", "0", "mqtt.embedded-port", "0", "metrics.port", "-1",
                "http.port", "-1", "model.name", "privacy-drift-" + System.nanoTime(), "model.spec", "mlp:784-64-10",
                "eval.data-dir", data.toString())));
        try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet-s"), (channel, out, payload) -> {
            captured.add(payload.clone());
            if (out && "grpc".equals(channel)) {
                outbound.add(payload.clone());
            }
        }, (id, c) -> c.withLocalApiPort(-1).withTelemetryInterval(Duration.ofMillis(200)))) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            fleet.startAgents(List.of(train.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), train.subset(new int[] {10, 11, 12, 13})),
                    coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            // the apps ask about test images (an offload sends its input to the coordinator, as apps ask it to)
            ByteDataset asked = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
            float[] raw = new float[784];
            for (EdgeAgent agent : fleet.agents()) {
                for (int i = 0; i < 10; i++) {
                    asked.copyRawFeatures(i, raw, 0);
                    var answer = agent.router().answer(raw);
                    agent.feedback(answer.predictionId(), asked.label(i));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                synchronized (outbound) {
                    return statisticsReports(new ArrayList<>(outbound)) >= 2;
                }
            });
        }
        SampleFinder finder = new SampleFinder(train, FeaturePipeline.PIXELS);
        int leaks = leaks(finder, captured);
        assertThat(leaks).as("training-sample windows found in %d payloads", captured.size()).isZero();
    }

    @Test
    void secureRoundsUnderCentralDp_stagesCarryOnlyKeysSharesAndMaskedVectors_noTrainingSampleCrossesTheWire() throws Exception {
        List<byte[]> outbound = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        Path data = BundledData.subset();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), Map.ofEntries(
                Map.entry("data-dir", dir.resolve("sa").toString()), Map.entry("grpc.port", "0"), Map.entry("mqtt.embedded-port", "0"),
                Map.entry("metrics.port", "-1"), Map.entry("http.port", "-1"), Map.entry("model.name", "privacy-secure-" + System.nanoTime()),
                Map.entry("model.spec", "mlp:784-32-10"), Map.entry("eval.data-dir", data.toString()), Map.entry("round.devices", "4"),
                Map.entry("round.min-results", "4"), Map.entry("training.secure-aggregation", "true"), Map.entry("privacy.mode", "central"),
                Map.entry("privacy.noise-multiplier", "1.0"), Map.entry("training.clip-norm", "0.5"))));
        double[] epsilon = new double[2];
        try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet-sa"), (channel, out, payload) -> {
            captured.add(payload.clone());
            if (out && "grpc".equals(channel)) {
                outbound.add(payload.clone());
            }
        }, (id, c) -> c.withLocalApiPort(-1))) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            List<ByteDataset> parts = new ArrayList<>();
            for (int d = 0; d < 4; d++) {
                int[] rows = new int[40];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = d * 40 + i;
                }
                parts.add(train.subset(rows));
            }
            fleet.startAgents(parts, coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            for (int r = 0; r < 2; r++) {
                var result = coordinator.rounds().runRound();
                assertThat(result.accepted()).as("round %d summed every device's masked vector", r + 1).isEqualTo(4);
                epsilon[r] = result.epsilon();
            }
        }
        assertThat(epsilon[0]).isPositive().isLessThan(epsilon[1]);
        assertThat(secureStages(new ArrayList<>(outbound))).as("4 stage calls of 4 devices in 2 rounds").isEqualTo(32);
        SampleFinder finder = new SampleFinder(train, FeaturePipeline.PIXELS);
        int leaks = leaks(finder, captured);
        assertThat(leaks).as("training-sample windows found in %d payloads", captured.size()).isZero();
    }

    /**
     * Tiered aggregation (issue 28): six devices behind two gateways that pre-aggregate. What leaves a gateway for the
     * coordinator is one update per round whose header names each contributor's id, task and example count and nothing
     * else, with the weighted mean of their deltas; no device uploads for itself, the broker holds one session per gateway
     * (plus the coordinator's), and no training sample is in any payload.
     */
    @Test
    void tieredGateways_uploadOneMeanPerRoundWithContributionsOnly_noTrainingSampleCrossesTheWire() throws Exception {
        List<byte[]> outbound = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        Path data = BundledData.subset();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), Map.ofEntries(
                Map.entry("data-dir", dir.resolve("t").toString()), Map.entry("grpc.port", "0"), Map.entry("mqtt.embedded-port", "0"),
                Map.entry("metrics.port", "-1"), Map.entry("http.port", "-1"), Map.entry("model.name", "privacy-tiered-" + System.nanoTime()),
                Map.entry("model.spec", "mlp:784-32-10"), Map.entry("eval.data-dir", data.toString()), Map.entry("round.devices", "6"),
                Map.entry("round.min-results", "6"))));
        List<String> sessions;
        try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet-t"), (channel, out, payload) -> {
            captured.add(payload.clone());
            if (out && "grpc".equals(channel)) {
                outbound.add(payload.clone());
            }
        }, (id, c) -> c.withLocalApiPort(-1)).gateways(3).preAggregate(true)) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            List<ByteDataset> parts = new ArrayList<>();
            for (int d = 0; d < 6; d++) {
                int[] rows = new int[30];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = d * 30 + i;
                }
                parts.add(train.subset(rows));
            }
            fleet.startAgents(parts, coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            for (int r = 0; r < 2; r++) {
                var result = coordinator.rounds().runRound();
                assertThat(result.accepted()).as("round %d counted every device, through its gateway", r + 1).isEqualTo(6);
                assertThat(result.failures()).isZero();
            }
            sessions = coordinator.brokerSessions();
        }
        assertThat(sessions).as("one MQTT session per gateway and the coordinator's, none per device")
                .hasSize(3).filteredOn(id -> id.startsWith("flock-gateway-")).hasSize(2);
        assertThat(uploads(new ArrayList<>(outbound), true)).as("one aggregate per gateway and round").isEqualTo(4);
        assertThat(uploads(new ArrayList<>(outbound), false)).as("no device uploads for itself").isZero();
        SampleFinder finder = new SampleFinder(train, FeaturePipeline.PIXELS);
        int leaks = leaks(finder, captured);
        assertThat(leaks).as("training-sample windows found in %d payloads", captured.size()).isZero();
    }

    /**
     * @return the update headers among {@code sent} that are gateways' aggregates ({@code aggregates}) or devices' own; an
     *         aggregate is checked to carry only its contributors' ids, tasks and example counts, adding up to its weight
     */
    private static int uploads(List<byte[]> sent, boolean aggregates) {
        int n = 0;
        for (byte[] p : sent) {
            io.flock.proto.v1.UpdateHeader h;
            try {
                io.flock.proto.v1.UpdateChunk c = io.flock.proto.v1.UpdateChunk.parseFrom(p);
                if (!c.hasHeader() || c.getHeader().getModel().isEmpty()) {
                    continue;
                }
                h = c.getHeader();
            } catch (com.google.protobuf.InvalidProtocolBufferException notOne) {
                continue;
            }
            if (h.getContributionsCount() > 0 != aggregates) {
                continue;
            }
            if (aggregates) {
                assertThat(h.getDeviceId()).startsWith("d-gw-");
                assertThat(h.getTaskId()).isEmpty();
                assertThat(h.getTrainLoss()).as("no device's loss").isZero();
                assertThat(h.getContributionsList()).allSatisfy(c -> {
                    assertThat(c.getUnknownFields().asMap()).isEmpty();
                    assertThat(c.getDeviceId()).startsWith("d-");
                    assertThat(c.getTaskId()).startsWith("r");
                    assertThat(c.getNumExamples()).isEqualTo(30);
                });
                assertThat(h.getNumExamples()).isEqualTo(30L * h.getContributionsCount());
            }
            n++;
        }
        return n;
    }

    /**
     * @return the secure-aggregation stage calls among {@code sent}, each checked to carry only what its stage needs:
     *         two 32-byte public keys, shares encrypted to neighbours (sealed, sender = the caller), an empty poll, or
     *         Shamir shares of 70 bytes; a masked upload's header says 1 example and no training loss
     */
    private static int secureStages(List<byte[]> sent) {
        int n = 0;
        for (byte[] p : sent) {
            io.flock.proto.v1.SecAggRequest r;
            try {
                r = io.flock.proto.v1.SecAggRequest.parseFrom(p);
            } catch (Exception notOne) {
                continue;
            }
            if (r.getStageCase() == io.flock.proto.v1.SecAggRequest.StageCase.STAGE_NOT_SET || !r.getDeviceId().startsWith("d-")
                    || !r.getTaskId().startsWith("r")) {
                maskedHeader(p);
                continue;
            }
            assertThat(r.getUnknownFields().asMap()).isEmpty();
            switch (r.getStageCase()) {
                case ADVERTISE -> {
                    assertThat(r.getAdvertise().getEncryptionKey().size()).isEqualTo(32);
                    assertThat(r.getAdvertise().getMaskingKey().size()).isEqualTo(32);
                }
                case SHARE -> r.getShare().getSharesList().forEach(s -> assertThat(s.getCiphertext().size()).as("two sealed shares")
                        .isLessThan(256));
                case AWAIT_UNMASK -> assertThat(r.getAwaitUnmask().getSerializedSize()).isZero();
                default -> {
                    r.getReveal().getSelfMaskSharesList().forEach(s -> assertThat(s.getShare().size()).isEqualTo(70));
                    r.getReveal().getKeySharesList().forEach(s -> assertThat(s.getShare().size()).isEqualTo(70));
                }
            }
            n++;
        }
        return n;
    }

    /** Checks a masked upload's header, if {@code p} is one: no example count, no loss, no timing leaves the device. */
    private static void maskedHeader(byte[] p) {
        try {
            io.flock.proto.v1.UpdateChunk c = io.flock.proto.v1.UpdateChunk.parseFrom(p);
            if (c.hasHeader() && c.getHeader().getCodec().getName().equals(io.flock.core.secagg.MaskedVectors.CODEC)) {
                assertThat(c.getHeader().getNumExamples()).isEqualTo(1);
                assertThat(c.getHeader().getTrainLoss()).isZero();
                assertThat(c.getHeader().getTrainSeconds()).isZero();
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException notOne) {
            // another kind of message
        }
    }

    @Test
    void batchPulls_requestsCarryOnlyTheSetAndOffset_noTrainingSampleCrossesTheWire() throws Exception {
        List<byte[]> outbound = Collections.synchronizedList(new ArrayList<>());
        List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        Path data = BundledData.subset();
        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        ByteDataset test = IdxFormat.readLabelled(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
        int[] shelf = new int[200];
        for (int i = 0; i < shelf.length; i++) {
            shelf[i] = i;
        }
        Path setFile = dir.resolve("shelf-idx3-ubyte.gz");
        IdxFormat.writeLabelled(test.subset(shelf), 28, 28, setFile, dir.resolve("shelf-labels.gz"));
        String model = "privacy-batch-" + System.nanoTime();
        CoordinatorConfig config = CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), Map.of(
                "data-dir", dir.resolve("c").toString(), "grpc.port", "0", "mqtt.embedded-port", "0", "metrics.port", "-1",
                "model.name", model, "model.spec", "mlp:784-64-10", "batch.interval", "0s")));
        AgentConfig.Batch pulls = new AgentConfig.Batch(List.of("shelf"), Duration.ofMinutes(10));
        try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet"), (channel, out, payload) -> {
            captured.add(payload.clone());
            if (out && "grpc".equals(channel)) {
                outbound.add(payload.clone());
            }
        }, (id, c) -> c.withBatch(pulls))) {
            CoordinatorServer coordinator = fleet.startCoordinator(config);
            assertThat(BatchCli.run("--coordinator", "127.0.0.1:" + coordinator.port(), "--keys",
                    coordinator.config().dataDir().resolve("keys").toString(), "register", "shelf", "--model", model, "--file",
                    setFile.toString())).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.inputSets().list().get(0).computed() != null);
            fleet.startAgents(List.of(train.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), train.subset(new int[] {10, 11, 12, 13})),
                    coordinator.mqttUrl(), coordinator.port());
            fleet.awaitReady(1, Duration.ofSeconds(30));
            for (EdgeAgent agent : fleet.agents()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.batchSets().rows("shelf") == shelf.length);
                ManagedChannel app = NettyChannelBuilder.forAddress("127.0.0.1", agent.localApiPort()).usePlaintext().build();
                try {
                    float[] raw = new float[784];
                    test.copyRawFeatures(5, raw, 0);
                    assertThat(LocalPredictionGrpc.newBlockingStub(app).predict(PredictionMessages.request("", "", raw)).getSource())
                            .isEqualTo(PredictResponse.Source.BATCH);
                } finally {
                    app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }

        int pullRequests = 0;
        synchronized (outbound) {
            for (byte[] p : outbound) {
                FetchBatchRequest r;
                try {
                    r = FetchBatchRequest.parseFrom(p);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    continue; // another kind of message
                }
                if (!"shelf".equals(r.getSet()) || !r.getDeviceId().startsWith("d-")) {
                    continue;
                }
                pullRequests++;
                assertThat(r.getUnknownFields().asMap()).as("no field beyond device id, set, offset and chunk size").isEmpty();
                assertThat(r.toByteArray()).as("the request is exactly those fields").isEqualTo(p);
                assertThat(p.length).isLessThan(64);
            }
        }
        assertThat(pullRequests).as("each agent pulled the set").isGreaterThanOrEqualTo(2);
        SampleFinder finder = new SampleFinder(train, FeaturePipeline.PIXELS);
        int leaks = leaks(finder, captured);
        assertThat(leaks).as("training-sample windows found in %d payloads", captured.size()).isZero();
    }
}
