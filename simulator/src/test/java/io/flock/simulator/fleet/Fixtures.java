package io.flock.simulator.fleet;

import io.flock.coordinator.CoordinatorConfig;
import io.flock.core.config.Settings;
import io.flock.core.data.ByteDataset;
import io.flock.core.data.IdxFormat;
import io.flock.core.partition.IidPartitioner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/** Small, fast fleets on the bundled Fashion-MNIST subset for integration tests. */
final class Fixtures {
    static final String MOSQUITTO = "tcp://127.0.0.1:1883";

    private Fixtures() {
    }

    static ByteDataset train() throws IOException {
        Path d = BundledData.subset();
        return IdxFormat.readLabelled(d.resolve("train-images-idx3-ubyte.gz"), d.resolve("train-labels-idx1-ubyte.gz"));
    }

    /** IID partitions of {@code perDevice} samples each. */
    static List<ByteDataset> partitions(int devices, int perDevice) throws IOException {
        ByteDataset train = train();
        int[][] parts = new IidPartitioner().partition(train.labels(), devices, new Random(0));
        List<ByteDataset> out = new ArrayList<>();
        for (int[] p : parts) {
            out.add(train.subset(java.util.Arrays.copyOf(p, perDevice)));
        }
        return out;
    }

    /** A unique name, so runs on a shared broker never see each other's retained messages. */
    static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * @param mqttUrl "" = embedded broker on a free port
     */
    static CoordinatorConfig coordinator(Path dir, String mqttUrl, String model, int devices, Map<String, String> extra) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("data-dir", dir.toString());
        f.put("grpc.port", "0");
        f.put("mqtt.url", mqttUrl);
        f.put("mqtt.embedded-port", "0");
        f.put("metrics.port", "0");
        f.put("http.port", "0"); // never the default 8000: many coordinators share this JVM
        f.put("model.name", model);
        f.put("model.spec", "mlp:784-64-10");
        f.put("round.devices", String.valueOf(devices));
        f.put("round.min-results", String.valueOf(devices));
        f.put("round.timeout", "30s");
        f.put("training.learning-rate", "0.05");
        f.put("training.batch-size", "16");
        f.put("eval.data-dir", BundledData.subset().toString());
        f.putAll(extra);
        return CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), f));
    }

    /** @return every value of the parameters, in model order */
    static float[] flat(io.flock.core.tensor.ModelParameters p) {
        float[] out = new float[Math.toIntExact(p.totalSize())];
        int at = 0;
        for (var t : p.tensors()) {
            System.arraycopy(t.data(), 0, out, at, t.size());
            at += t.size();
        }
        return out;
    }
}
