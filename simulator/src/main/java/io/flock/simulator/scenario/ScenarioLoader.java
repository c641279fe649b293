package io.flock.simulator.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.flock.agent.DeviceConditions.SecureDrop;
import io.flock.coordinator.CoordinatorConfig;
import io.flock.coordinator.rollout.RolloutConfig;
import io.flock.core.codec.Codecs;
import io.flock.core.config.ConfigException;
import io.flock.core.config.Settings;
import io.flock.core.data.FeaturePipeline;
import io.flock.core.model.ModelSpec;
import io.flock.core.train.TrainingConfig;
import io.flock.simulator.fleetops.DriftSpec;
import io.flock.simulator.fleetops.FleetOpsSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads scenario YAML (documented in simulator/README.md) into a validated {@link ScenarioConfig}.
 * Unknown keys, bad values and impossible combinations fail at once, naming the key.
 */
public final class ScenarioLoader {
    private static final Set<String> TOP = Set.of("name", "dataset", "partition", "devices", "devicesPerRound", "minResults",
            "rounds", "workload", "model", "pipeline", "training", "roundTimeout", "codecs", "pushMode", "deviceProfiles", "faults", "transport",
            "broker", "jvmHeap", "seed", "warmupRuns", "warmupJitShare", "coordinator", "fleetops");
    private static final Set<String> PROFILE = Set.of("name", "share", "computeFactor", "uplinkMbps", "downlinkMbps", "latencyMs",
            "availability", "dropoutProbability", "battery", "attack",
            "secureDrop", "trainSeconds");

    private ScenarioLoader() {
    }

    /** @return the scenario in a YAML file */
    public static ScenarioConfig fromFile(Path file) {
        try {
            return parse(Files.readString(file), file.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        } catch (IOException e) {
            throw new ConfigException("cannot read scenario file " + file + ": " + e.getMessage());
        }
    }

    /** @return a scenario shipped with Flock (simulator/src/main/resources/scenarios/NAME.yaml) */
    public static ScenarioConfig named(String name) {
        try (InputStream in = ScenarioLoader.class.getResourceAsStream("/scenarios/" + name + ".yaml")) {
            if (in == null) {
                throw new ConfigException("no scenario named '" + name + "'; shipped: " + shipped());
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new ConfigException("cannot read scenario " + name + ": " + e.getMessage());
        }
    }

    /** @return the names of the shipped scenarios */
    public static List<String> shipped() {
        return List.of("smoke-20", "fmnist-path-100", "fmnist-path-100-compressed", "fmnist-path-100-fp32",
                "fmnist-niid-bench", "fmnist-byzantine-clean", "fmnist-byzantine-gaussian", "fmnist-byzantine-sign-flip",
                "fmnist-byzantine-scale", "fmnist-byzantine-label-flip", "fleet-1k", "fleet-10k", "push-1k", "fmnist-drift-control",
                "fmnist-drift-brightness", "fmnist-drift-noise", "fmnist-drift-rotation", "fmnist-drift-label-shift", "fmnist-drift-concept",
                "fmnist-drift-partial", "fmnist-rollout-good", "fmnist-rollout-bad");
    }

    /** @return the scenario in YAML text; {@code defaultName} when it has no name key */
    public static ScenarioConfig parse(String yaml, String defaultName) {
        YamlNode root;
        try {
            root = new YamlNode(new ObjectMapper(new YAMLFactory()).readTree(yaml), "");
        } catch (IOException e) {
            throw new ConfigException("scenario is not valid YAML: " + e.getMessage());
        }
        root.allow(TOP);
        int devices = root.integer("devices", 10);
        int perRound = root.integer("devicesPerRound", Math.min(10, devices));
        YamlNode p = root.has("partition") ? root.child("partition").allow(Set.of("kind", "alpha", "shardsPerDevice", "seed")) : null;
        String kind = p == null ? "iid" : p.string("kind", "iid");
        if (!Set.of("iid", "dirichlet", "pathological").contains(kind)) {
            throw new ConfigException("partition.kind must be iid, dirichlet or pathological, got '" + kind + "'");
        }
        double alpha = p == null ? 0.5 : p.decimal("alpha", 0.5);
        int shards = p == null ? 2 : p.integer("shardsPerDevice", 2);
        ConfigException.require(alpha > 0, "partition.alpha", alpha);
        ConfigException.require(shards >= 1, "partition.shardsPerDevice", shards);
        long seed = root.integer("seed", 0);
        var partition = new ScenarioConfig.PartitionSpec(kind, alpha, shards, p == null ? seed : p.integer("seed", (int) seed));
        YamlNode t = root.has("training") ? root.child("training").allow(Set.of("optimizer", "learningRate", "batchSize", "localEpochs")) : null;
        if (t != null && !t.string("optimizer", "sgd").equals("sgd")) {
            throw new ConfigException("training.optimizer must be sgd, got '" + t.string("optimizer", "") + "'");
        }
        TrainingConfig training = (t == null ? root : t).build(() -> new TrainingConfig(
                (float) (t == null ? 0.1 : t.decimal("learningRate", 0.1)), t == null ? 10 : t.integer("batchSize", 10),
                t == null ? 1 : t.integer("localEpochs", 1)));
        YamlNode c = root.has("codecs") ? root.child("codecs").allow(Set.of("push", "update")) : null;
        String push = c == null ? "int8" : c.string("push", "int8");
        String update = c == null ? "fp32" : c.string("update", "fp32");
        try {
            Codecs.byName(push);
            Codecs.byName(update);
        } catch (RuntimeException e) {
            throw new ConfigException("codecs: " + e.getMessage());
        }
        List<DeviceProfile> profiles = new ArrayList<>();
        for (YamlNode d : root.list("deviceProfiles")) {
            d.allow(PROFILE);
            Attack attack = d.has("attack") ? attack(d.child("attack")) : Attack.NONE;
            profiles.add(d.build(() -> new DeviceProfile(d.string("name", "profile"), d.decimal("share", 1), d.decimal("computeFactor", 1),
                    d.decimal("uplinkMbps", 0), d.decimal("downlinkMbps", 0), d.decimal("latencyMs", 0), d.decimal("availability", 1),
                    d.decimal("dropoutProbability", 0), d.decimal("battery", 1), attack, secureDrop(d.string("secureDrop", "none")),
                    d.decimal("trainSeconds", 0))));
        }
        if (profiles.isEmpty()) {
            profiles.add(DeviceProfile.ideal());
        }
        List<Fault> faults = new ArrayList<>();
        for (YamlNode f : root.list("faults")) {
            f.allow(Set.of("round", "kind", "fraction"));
            Fault.Kind fk = Fault.Kind.parse(f.string("kind", ""));
            faults.add(f.build(() -> new Fault(f.integer("round", 1), fk, f.decimal("fraction", 0))));
        }
        YamlNode tr = root.has("transport") ? root.child("transport").allow(Set.of("mode", "devicesPerGateway")) : null;
        String mode = tr == null ? "dedicated" : tr.string("mode", "dedicated");
        if (!Set.of("dedicated", "gateway", "tiered").contains(mode)) {
            throw new ConfigException("transport.mode must be dedicated, gateway or tiered, got '" + mode + "'");
        }
        String pushMode = root.string("pushMode", "broadcast");
        if (!Set.of("broadcast", "on-demand").contains(pushMode)) {
            throw new ConfigException("pushMode must be broadcast or on-demand, got '" + pushMode + "'");
        }
        String broker = root.string("broker", "in-process");
        if (!Set.of("in-process", "own-process").contains(broker)) {
            throw new ConfigException("broker must be in-process or own-process, got '" + broker + "'");
        }
        String workload = root.string("workload", "train");
        if (!Set.of("train", "push", "fleetops").contains(workload)) {
            throw new ConfigException("workload must be train, push or fleetops, got '" + workload + "'");
        }
        ModelSpec model;
        try {
            model = ModelSpec.parse(root.string("model", "mlp:784-200-200-10"));
        } catch (RuntimeException e) {
            throw new ConfigException("model: " + e.getMessage());
        }
        String heap = root.string("jvmHeap", "3g");
        if (!heap.matches("[1-9][0-9]*[mMgG]")) {
            throw new ConfigException("jvmHeap must be a size like 768m or 6g, got '" + heap + "'");
        }
        String pipeline = root.string("pipeline", "scale:255");
        try {
            pipeline = FeaturePipeline.parse(pipeline).toString();
        } catch (RuntimeException e) {
            throw new ConfigException("pipeline: " + e.getMessage());
        }
        String resolvedPipeline = pipeline;
        return root.build(() -> new ScenarioConfig(root.string("name", defaultName), root.string("dataset", "system"), partition,
                devices, perRound, root.integer("minResults", perRound), root.integer("rounds", 10),
                ScenarioConfig.Workload.valueOf(workload.toUpperCase()), model, resolvedPipeline, training,
                root.duration("roundTimeout", Duration.ofSeconds(60)), push, update, pushMode.equals("on-demand"), profiles, faults,
                ScenarioConfig.Transport.valueOf(mode.toUpperCase()), tr == null ? 100 : tr.integer("devicesPerGateway", 100),
                ScenarioConfig.BrokerPlacement.valueOf(broker.toUpperCase().replace('-', '_')), seed,
                root.integer("warmupRuns", 0), root.decimal("warmupJitShare", 0), coordinatorKeys(root),
                root.has("fleetops") ? fleetOps(root.child("fleetops")) : null));
    }

    /** @return none, before-shares, before-vector or before-reveal as a {@link SecureDrop} */
    private static SecureDrop secureDrop(String value) {
        try {
            return SecureDrop.valueOf(value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("deviceProfiles.secureDrop must be none, before-shares, before-vector or before-reveal, got '"
                    + value + "'");
        }
    }

    /**
     * A profile's {@code attack:} mapping: its {@code kind} and only the setting that kind uses (gaussian: {@code sigma},
     * default 1; sign-flip: {@code factor}, default 1; scale: {@code factor}, default 10; label-flip: {@code mapping},
     * reverse or permutation, default reverse).
     */
    private static Attack attack(YamlNode a) {
        Attack.Kind kind = a.build(() -> Attack.Kind.parse(a.string("kind", "")));
        a.allow(switch (kind) {
            case GAUSSIAN -> Set.of("kind", "sigma");
            case SIGN_FLIP, SCALE -> Set.of("kind", "factor");
            case LABEL_FLIP -> Set.of("kind", "mapping");
            case NONE -> Set.of("kind");
        });
        Attack.LabelMapping mapping = a.build(() -> Attack.LabelMapping.parse(a.string("mapping", "reverse")));
        return a.build(() -> new Attack(kind, a.decimal("sigma", 1), a.decimal("factor", kind == Attack.Kind.SCALE ? 10 : 1), mapping));
    }

    /** The {@code fleetops:} section: serving windows, and the drift or rollout they carry. */
    private static FleetOpsSpec fleetOps(YamlNode f) {
        f.allow(Set.of("window", "windows", "answers", "feedback", "drift", "rollout"));
        DriftSpec drift = null;
        if (f.has("drift")) {
            YamlNode d = f.child("drift").allow(Set.of("kind", "atWindow", "share", "profile", "magnitude"));
            DriftSpec.Kind kind = d.build(() -> DriftSpec.Kind.parse(d.string("kind", "")));
            drift = d.build(() -> new DriftSpec(kind, d.integer("atWindow", 1), d.decimal("share", 1), d.string("profile", ""),
                    d.decimal("magnitude", 1)));
        }
        FleetOpsSpec.RolloutSpec rollout = null;
        if (f.has("rollout")) {
            YamlNode r = f.child("rollout").allow(Set.of("candidate", "atWindow", "stages", "soak"));
            String csv = csv(r.json().get("stages"), "5,25,50,100");
            List<Double> stages = r.build(() -> RolloutConfig.requireStages(RolloutConfig.parseStages(csv)));
            rollout = r.build(() -> new FleetOpsSpec.RolloutSpec(r.string("candidate", ""), r.integer("atWindow", 1), stages,
                    r.duration("soak", Duration.ofSeconds(10))));
        }
        DriftSpec d = drift;
        FleetOpsSpec.RolloutSpec ro = rollout;
        return f.build(() -> new FleetOpsSpec(f.duration("window", Duration.ofSeconds(3)), f.integer("windows", 10), f.integer("answers", 20),
                f.decimal("feedback", 1), d, ro));
    }

    /** @return a YAML list or a comma-separated string as comma-separated text; {@code otherwise} when absent */
    private static String csv(JsonNode node, String otherwise) {
        if (node == null || node.isNull()) {
            return otherwise;
        }
        if (!node.isArray()) {
            return node.asText();
        }
        List<String> items = new ArrayList<>();
        node.forEach(n -> items.add(n.asText()));
        return String.join(",", items);
    }

    /**
     * The {@code coordinator:} section, as dotted coordinator keys; checked at once against the coordinator's own
     * configuration, so an unknown key or a bad value fails at load, naming it.
     */
    private static Map<String, String> coordinatorKeys(YamlNode root) {
        if (!root.has("coordinator")) {
            return Map.of();
        }
        return checkedCoordinatorKeys(Settings.flatten(root.child("coordinator").json()), "coordinator: ");
    }

    /**
     * The scenario with coordinator keys set over its {@code coordinator:} section ({@code bin/flock simulate --set}),
     * so a shipped scenario runs with another strategy unchanged otherwise. Checked as the section is.
     *
     * @param scenario a loaded scenario
     * @param keys     dotted coordinator keys and their values, e.g. strategy.aggregator=median
     * @return the scenario with the merged keys (the same scenario when keys is empty)
     * @throws ConfigException naming the key, for an unknown key or a bad value
     */
    public static ScenarioConfig withCoordinatorKeys(ScenarioConfig scenario, Map<String, String> keys) {
        if (keys.isEmpty()) {
            return scenario;
        }
        Map<String, String> merged = new TreeMap<>(scenario.coordinator());
        merged.putAll(keys);
        return scenario.withCoordinator(checkedCoordinatorKeys(merged, "--set: "));
    }

    private static Map<String, String> checkedCoordinatorKeys(Map<String, String> keys, String where) {
        try {
            CoordinatorConfig.from(Settings.resolve(CoordinatorConfig.defaults(), null, Map.of(), keys));
        } catch (ConfigException e) {
            throw new ConfigException(where + e.getMessage());
        }
        return Map.copyOf(keys);
    }
}
