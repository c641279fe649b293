package io.flock.simulator.scenario;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The resolved scenario as the report's {@code config} block: every knob, with units in the names. */
final class ScenarioReport {
    private ScenarioReport() {
    }

    static Map<String, Object> config(ScenarioConfig s, Path data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", data.toString());
        m.put("partition", Simulation.map("kind", s.partition().kind(), "alpha", s.partition().alpha(),
                "shardsPerDevice", s.partition().shardsPerDevice(), "seed", s.partition().seed()));
        m.put("devices", s.devices());
        m.put("devicesPerRound", s.devicesPerRound());
        m.put("minResults", s.minResults());
        m.put("rounds", s.rounds());
        m.put("workload", s.workload().name().toLowerCase());
        m.put("model", s.model().toString());
        m.put("pipeline", s.pipeline());
        m.put("training", Simulation.map("optimizer", "sgd", "learningRate", s.training().learningRate(),
                "batchSize", s.training().batchSize(), "localEpochs", s.training().epochs()));
        m.put("roundTimeoutSeconds", s.roundTimeout().toMillis() / 1000.0);
        m.put("codecs", Simulation.map("push", s.pushCodec(), "update", s.updateCodec()));
        m.put("pushMode", s.pushOnDemand() ? "on-demand" : "broadcast");
        List<Map<String, Object>> profiles = new ArrayList<>();
        for (DeviceProfile p : s.profiles()) {
            profiles.add(Simulation.map("name", p.name(), "share", p.share(), "computeFactor", p.computeFactor(),
                    "uplinkMbps", p.uplinkMbps(), "downlinkMbps", p.downlinkMbps(), "latencyMs", p.latencyMs(),
                    "availability", p.availability(), "dropoutProbability", p.dropoutProbability(), "battery", p.battery(),
                    "attack", p.attack().describe(), "trainSeconds", p.trainSeconds()));
        }
        m.put("deviceProfiles", profiles);
        List<Map<String, Object>> faults = new ArrayList<>();
        for (Fault f : s.faults()) {
            faults.add(Simulation.map("round", f.round(), "kind", f.kind().yamlName(), "fraction", f.fraction()));
        }
        m.put("faults", faults);
        m.put("transport", s.transport() != ScenarioConfig.Transport.DEDICATED ? Simulation.map("mode",
                s.transport().name().toLowerCase(java.util.Locale.ROOT), "devicesPerGateway", s.devicesPerGateway())
                : Simulation.map("mode", "dedicated"));
        m.put("broker", s.broker().yamlName());
        m.put("seed", s.seed());
        m.put("warmupRuns", s.warmupRuns());
        m.put("warmupJitShare", s.warmupJitShare());
        // the strategy keys the scenario sets (fedavg when it sets none), and every coordinator key it overrides
        Map<String, Object> strategy = new java.util.TreeMap<>(Map.of("strategy.name", "fedavg"));
        s.coordinator().forEach((k, v) -> {
            if (k.startsWith("strategy.")) {
                strategy.put(k, v);
            }
        });
        m.put("strategy", strategy);
        m.put("coordinator", new java.util.TreeMap<>(s.coordinator()));
        m.put("jvm", Simulation.map("maxHeapBytes", Runtime.getRuntime().maxMemory(), "cores", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.version")));
        return m;
    }
}
