package io.flock.simulator.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.flock.core.data.ByteDataset;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.data.IdxFormat;
import io.flock.simulator.fleet.BundledData;
import io.flock.simulator.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records every payload that crosses MQTT and gRPC at every device during a demo-sized run (the cloud model's rounds,
 * then the device model's: pushes with their calibrated offload advice, fetches, offloaded and fallback predictions)
 * and proves no training sample is in them.
 */
@Timeout(240)
class PrivacyIT {
    @TempDir
    Path dir;

    @Test
    void demoRun_noTrainingSampleCrossesTheWire() throws Exception {
        List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());
        AtomicLong mqtt = new AtomicLong();
        AtomicLong grpc = new AtomicLong();
        Path data = BundledData.subset();
        DemoOptions options = new DemoOptions(6, 2, 20, data, dir.resolve("work"), dir.resolve("out"), 0,
                Map.of("model.spec", "mlp:784-64-10"), "cnn:28x28-4-8-32-10", 2); // a cloud model too: its training, the
                                                                                     // calibrated announcements, its offloads

        RunReport report = new Demo(options, new PrintStream(PrintStream.nullOutputStream())).run((channel, outbound, payload) -> {
            captured.add(payload.clone());
            ("mqtt".equals(channel) ? mqtt : grpc).addAndGet(payload.length);
        });

        ByteDataset train = IdxFormat.readLabelled(data.resolve("train-images-idx3-ubyte.gz"), data.resolve("train-labels-idx1-ubyte.gz"));
        SampleFinder finder = new SampleFinder(train, FeaturePipeline.PIXELS);
        assertThat(finder.fingerprints()).isGreaterThan(5 * 8000);
        assertThat(finder.matches(SampleFinder.leakOf(train, 123, FeaturePipeline.PIXELS))).as("positive control").isGreaterThanOrEqualTo(2);
        assertThat(report.rounds()).hasSize(2);
        assertThat(mqtt.get()).isGreaterThan(100_000);
        assertThat(grpc.get()).isGreaterThan(1_000_000);
        int leaks = 0;
        synchronized (captured) {
            for (byte[] p : captured) {
                leaks += finder.matches(p);
            }
        }
        assertThat(leaks).as("training-sample windows found in %d payloads", captured.size()).isZero();
        assertThat(Files.exists(dir.resolve("out").resolve("report.json"))).isTrue();
        assertThat(Files.exists(dir.resolve("out").resolve("accuracy.png"))).isTrue();
        assertThat(Files.exists(dir.resolve("out").resolve("offload-curve.png"))).as("the threshold was calibrated").isTrue();
    }
}
