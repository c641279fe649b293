package io.flock.simulator.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the demo runs.
 *
 * @param devices             simulated devices, each a real agent
 * @param rounds              federated rounds
 * @param predictionsPerAgent app predictions sent to each agent's local API with the cloud up
 * @param dataDir             Fashion-MNIST directory; null = system dataset or the bundled subset
 * @param workDir             scratch directory (database, device data and state)
 * @param outDir              where report.json and the plots go
 * @param seed                partition and selection seed
 * @param overrides           coordinator settings over the demo's defaults
 */
public record DemoOptions(int devices, int rounds, int predictionsPerAgent, Path dataDir, Path workDir, Path outDir, long seed,
                          Map<String, String> overrides) {
    /** @return coordinator settings: the demo's defaults, then the overrides */
    public Map<String, String> coordinatorSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("grpc.port", "0");
        s.put("mqtt.embedded-port", "0");
        s.put("round.devices", String.valueOf(devices));
        s.put("round.min-results", String.valueOf(devices));
        s.put("round.timeout", "60s");
        s.put("training.learning-rate", "0.05");
        s.put("training.batch-size", "10");
        s.put("training.local-epochs", "1");
        s.put("push.codec", "int8");
        s.put("update.codec", "fp32");
        s.put("seed", String.valueOf(seed));
        s.putAll(overrides);
        return s;
    }
}
