package io.flock.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flock.core.config.ConfigException;
import io.flock.core.data.ByteDataset;
import io.flock.simulator.report.ProcessCpu;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.flock.simulator.fleetops.DriftSpec;
import io.flock.simulator.fleetops.FleetOpsSpec;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {
    private static final String BASE = "devices: 20\ndevicesPerRound: 5\nrounds: 3\n";

    @Test
    void shippedScenarios_parse() {
        for (String name : ScenarioLoader.shipped()) {
            assertThat(ScenarioLoader.named(name).name()).isEqualTo(name);
        }
        assertThat(ScenarioLoader.named("fleet-10k").transport()).isEqualTo(ScenarioConfig.Transport.GATEWAY);
        assertThat(ScenarioLoader.named("fleet-100k").transport()).isEqualTo(ScenarioConfig.Transport.TIERED);
        assertThat(ScenarioLoader.named("fleet-100k").devicesPerGateway()).isEqualTo(1000);
        ScenarioConfig w1 = ScenarioLoader.named("fmnist-path-100");
        assertThat(w1.devices()).isEqualTo(100);
        assertThat(w1.partition().kind()).isEqualTo("pathological");
        assertThat(w1.training().learningRate()).isEqualTo(0.1f);
        ScenarioConfig fp32 = ScenarioLoader.named("fmnist-path-100-fp32"); // W1's baseline: W1 with nothing compressed
        assertThat(fp32.pushCodec()).isEqualTo("fp32");
        assertThat(fp32.updateCodec()).isEqualTo("fp32");
        // the three W1 scenarios differ in their codecs alone, so a paired comparison measures what compression does
        for (String variant : List.of("fmnist-path-100-fp32", "fmnist-path-100-compressed")) {
            ScenarioConfig v = ScenarioLoader.named(variant);
            assertThat(List.of(v.devices(), v.devicesPerRound(), v.rounds(), v.partition(), v.training(), v.model(), v.pipeline(),
                    v.pushOnDemand(), v.transport(), v.seed(), v.roundTimeout()))
                    .as(variant).isEqualTo(List.of(w1.devices(), w1.devicesPerRound(), w1.rounds(), w1.partition(), w1.training(),
                            w1.model(), w1.pipeline(), w1.pushOnDemand(), w1.transport(), w1.seed(), w1.roundTimeout()));
        }
        assertThat(ScenarioLoader.named("fleet-1k").profiles()).hasSize(3);
    }

    @Test
    void parse_fullFile_resolvesEveryKnob() {
        ScenarioConfig s = ScenarioLoader.parse(BASE + """
                partition: {kind: dirichlet, alpha: 0.3, seed: 7}
                roundTimeout: 1500ms
                deviceProfiles:
                  - {name: fast, share: 0.75}
                  - {name: slow, share: 0.25, computeFactor: 3, uplinkMbps: 2, latencyMs: 50, availability: 0.5, dropoutProbability: 0.1}
                faults:
                  - {round: 2, kind: network-partition, fraction: 0.2}
                """, "x");

        assertThat(s.partition().alpha()).isEqualTo(0.3);
        assertThat(s.partition().seed()).isEqualTo(7);
        assertThat(s.roundTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.profiles().get(1).computeFactor()).isEqualTo(3);
        assertThat(s.faults().get(0).kind()).isEqualTo(Fault.Kind.NETWORK_PARTITION);
        assertThat(s.name()).isEqualTo("x");
        assertThat(s.pipeline()).isEqualTo("scale:255");
        assertThat(s.warmupRuns()).isZero();
        assertThat(s.broker()).isEqualTo(ScenarioConfig.BrokerPlacement.IN_PROCESS);
        assertThat(ScenarioLoader.parse(BASE + "broker: own-process\n", "x").broker())
                .isEqualTo(ScenarioConfig.BrokerPlacement.OWN_PROCESS);
        assertThat(ScenarioLoader.parse(BASE + "warmupRuns: 2\n", "x").warmupRuns()).isEqualTo(2);
        assertThat(ScenarioLoader.parse(BASE + "pipeline: scale:255:0.2860:0.3530\njvmHeap: 768m\n", "x").pipeline())
                .isEqualTo("scale:255:0.286:0.353");
    }

    @Test
    void parse_coordinatorSection_passesThroughAsDottedKeys_andBadKeysFailAtLoad() {
        ScenarioConfig s = ScenarioLoader.parse(BASE + """
                coordinator:
                  strategy: {name: fedavg, server-learning-rate: 0.5}
                  registry.variants: fp32
                """, "x");

        assertThat(s.coordinator()).containsEntry("strategy.name", "fedavg").containsEntry("strategy.server-learning-rate", "0.5")
                .containsEntry("registry.variants", "fp32");
        assertThat(ScenarioLoader.parse(BASE, "x").coordinator()).isEmpty();
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "coordinator: {strategy: {name: fedmagic}}\n", "x"))
                .hasMessageContaining("coordinator:").hasMessageContaining("strategy.name");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "coordinator: {round: {devicez: 3}}\n", "x"))
                .hasMessageContaining("round.devicez");
    }

    @Test
    void withCoordinatorKeys_setsKeysOverTheSection_andABadOneFailsNamingIt() {
        ScenarioConfig s = ScenarioLoader.parse(BASE + "coordinator: {strategy.name: fedavgm, registry.variants: fp32}\n", "x");

        ScenarioConfig set = ScenarioLoader.withCoordinatorKeys(s, Map.of("strategy.name", "fedadam", "strategy.aggregator", "median"));

        assertThat(set.coordinator()).containsOnly(Map.entry("strategy.name", "fedadam"), Map.entry("strategy.aggregator", "median"),
                Map.entry("registry.variants", "fp32"));
        assertThat(set.withSeed(3).coordinator()).isEqualTo(set.coordinator());
        assertThat(ScenarioLoader.withCoordinatorKeys(s, Map.of())).isSameAs(s);
        assertThatThrownBy(() -> ScenarioLoader.withCoordinatorKeys(s, Map.of("strategy.trim-beta", "0.5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--set").hasMessageContaining("strategy.trim-beta");
        assertThatThrownBy(() -> ScenarioLoader.withCoordinatorKeys(s, Map.of("strategy.nam", "fedavg")))
                .hasMessageContaining("strategy.nam");
        assertThat(s.coordinator()).as("the loaded scenario is unchanged").containsOnlyKeys("strategy.name", "registry.variants");
    }

    @Test
    void warm_onlyWithAJitShare_andOnlyWhenTheJitsShareOfTheRunsCpuIsKnownAndAtMostIt() {
        ScenarioConfig fixed = ScenarioLoader.parse(BASE + "warmupRuns: 3\n", "x");
        ScenarioConfig adaptive = ScenarioLoader.parse(BASE + "warmupRuns: 15\nwarmupJitShare: 0.05\n", "x");

        assertThat(adaptive.warmupJitShare()).isEqualTo(0.05);
        assertThat(fixed.warm(new ProcessCpu(10, 0))).isFalse();
        assertThat(adaptive.warm(new ProcessCpu(10, 0.5))).isTrue();
        assertThat(adaptive.warm(new ProcessCpu(10, 0.6))).isFalse();
        assertThat(adaptive.warm(new ProcessCpu(10, Double.NaN))).isFalse();
        assertThat(adaptive.warm(new ProcessCpu(0, 0))).isFalse();
    }

    @Test
    void parse_fleetopsSection_resolvesTheDriftAndTheRollout_andBadValuesFailNamingTheKey() {
        ScenarioConfig s = ScenarioLoader.parse(BASE + """
                workload: fleetops
                fleetops:
                  window: 2s
                  windows: 12
                  answers: 15
                  feedback: 0.5
                  drift: {kind: label-shift, atWindow: 4, share: 0.5, magnitude: 3}
                  rollout: {candidate: bad, atWindow: 2, stages: [10, 100], soak: 4s}
                """, "x");
        assertThat(s.workload()).isEqualTo(ScenarioConfig.Workload.FLEETOPS);
        FleetOpsSpec f = s.fleetOps();
        assertThat(f.window()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(f.drift().kind()).isEqualTo(DriftSpec.Kind.LABEL_SHIFT);
        assertThat(f.drift().share()).isEqualTo(0.5);
        assertThat(f.rollout().stages()).containsExactly(10.0, 100.0);
        assertThat(f.rollout().candidate()).isEqualTo("bad");
        String ops = BASE + "workload: fleetops\nfleetops:\n";
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  drift: {kind: sunburn}\n", "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("fleetops.drift.kind");
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  drift: {kind: rotation, magnitude: 5}\n", "x"))
                .hasMessageContaining("magnitude");
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  windows: 5\n  drift: {kind: noise, atWindow: 9, magnitude: 30}\n", "x"))
                .hasMessageContaining("fleetops.drift.atWindow");
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  rollout: {candidate: good, stages: [50, 10, 100]}\n", "x"))
                .hasMessageContaining("increase");
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  rollout: {candidate: meh}\n", "x")).hasMessageContaining("good or bad");
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  feedback: 1.5\n", "x")).hasMessageContaining("fleetops.feedback");
        assertThatThrownBy(() -> ScenarioLoader.parse(ops + "  colour: blue\n", "x")).hasMessageContaining("colour");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "workload: fleetops\n", "x")).hasMessageContaining("fleetops");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "fleetops: {windows: 3}\n", "x")).hasMessageContaining("fleetops");
        assertThat(DriftSpec.Kind.parse("label-shift").yamlName()).isEqualTo("label-shift");
    }

    @Test
    void parse_badFiles_failNamingTheKey() {
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "devicez: 3\n", "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'devicez'");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "deviceProfiles:\n  - {name: a, share: 1, sharee: 2}\n", "x"))
                .hasMessageContaining("unknown key 'deviceProfiles[0].sharee'");
        assertThatThrownBy(() -> ScenarioLoader.parse("devices: -5\n", "x")).hasMessageContaining("invalid devices: -5")
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> ScenarioLoader.parse("devices: 5\ndevicesPerRound: 6\n", "x")).hasMessageContaining("devicesPerRound");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "pipeline: scale:0\n", "x")).hasMessageStartingWith("pipeline:");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "jvmHeap: lots\n", "x")).hasMessageContaining("jvmHeap");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "broker: mosquitto\n", "x"))
                .hasMessageContaining("broker must be in-process or own-process, got 'mosquitto'");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "warmupRuns: -1\n", "x")).hasMessageContaining("invalid warmupRuns: -1");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "warmupRuns: 21\n", "x")).hasMessageContaining("invalid warmupRuns: 21");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "warmupJitShare: 1\n", "x")).hasMessageContaining("invalid warmupJitShare: 1.0");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "warmupJitShare: -0.1\n", "x")).hasMessageContaining("warmupJitShare");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "warmupJitShare: lots\n", "x")).hasMessageContaining("warmupJitShare");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "transport: {mode: gateway, devicesPerGateway: 0}\n", "x"))
                .hasMessageContaining("transport.devicesPerGateway");
        String tiered = BASE + "transport: {mode: tiered, devicesPerGateway: 5}\n";
        assertThat(ScenarioLoader.parse(tiered, "x").transport()).isEqualTo(ScenarioConfig.Transport.TIERED);
        assertThatThrownBy(() -> ScenarioLoader.parse(tiered + "coordinator: {strategy.aggregator: median}\n", "x"))
                .as("a robust rule would see gateway means only").hasMessageContaining("strategy.aggregator");
        assertThatThrownBy(() -> ScenarioLoader.parse(tiered + "coordinator: {training.secure-aggregation: \"true\"}\n", "x"))
                .as("masked vectors cannot be pre-aggregated").hasMessageContaining("training.secure-aggregation");
        assertThatThrownBy(() -> ScenarioLoader.parse(tiered + "coordinator: {privacy.mode: central, privacy.noise-multiplier: \"1\"}\n", "x"))
                .as("central DP clips per device").hasMessageContaining("privacy.mode");
        assertThatThrownBy(() -> ScenarioLoader.parse("devices: -5\ndevicesPerRound: 1\n", "x")).hasMessageContaining("invalid devices: -5");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "deviceProfiles:\n  - {share: 0.5}\n  - {share: 0.4}\n", "x"))
                .hasMessageContaining("shares must sum to 1, got 0.9");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "deviceProfiles:\n  - {share: 1, availability: 1.5}\n", "x"))
                .hasMessageContaining("deviceProfiles[0].availability");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "faults:\n  - {round: 9, kind: broker-restart}\n", "x"))
                .hasMessageContaining("faults.round");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "faults:\n  - {round: 1, kind: meteor}\n", "x"))
                .hasMessageContaining("unknown fault kind 'meteor'");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "partition: {kind: pathological, shardsPerDevice: 0}\n", "x"))
                .hasMessageContaining("partition.shardsPerDevice");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "training: {learningRate: -1}\n", "x"))
                .hasMessageContaining("training").hasMessageContaining("learning-rate");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "roundTimeout: soon\n", "x")).hasMessageContaining("roundTimeout");
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "rounds: two\n", "x")).hasMessageContaining("rounds must be a whole number");
        assertThatThrownBy(() -> ScenarioLoader.named("nope")).hasMessageContaining("shipped");
    }

    @Test
    void partitions_impossibleForTheData_failNamingPartition() {
        ScenarioConfig s = ScenarioLoader.parse("devices: 20\ndevicesPerRound: 5\npartition: {kind: pathological, shardsPerDevice: 2}\n", "x");
        ByteDataset tiny = new ByteDataset(new byte[30], new byte[30], 1);

        assertThatThrownBy(() -> Simulation.partitions(s, tiny)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("partition pathological is impossible for 30 samples and 20 devices");
    }

    @Test
    void profileAssignment_followsSharesAndSeed() {
        var profiles = ScenarioLoader.parse(BASE + "deviceProfiles:\n  - {name: a, share: 0.75}\n  - {name: b, share: 0.25}\n", "x").profiles();

        var assigned = ProfileAssignment.assign(profiles, 20, 3);

        assertThat(assigned.stream().filter(p -> p.name().equals("b")).count()).isEqualTo(5);
        assertThat(ProfileAssignment.assign(profiles, 20, 3)).isEqualTo(assigned);
    }

    @Test
    void parse_durationPastTheLongRange_failsNamingTheKey() {
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "roundTimeout: 999999999999999999m\n", "x")).isInstanceOf(ConfigException.class)
                .hasMessage("roundTimeout must be a duration like 30s or 500ms, got '999999999999999999m'");
    }

    @Test
    void parse_wholeNumberPastTheIntRange_failsNamingTheKey() {
        assertThatThrownBy(() -> ScenarioLoader.parse(BASE + "rounds: 4294967297\n", "x")).isInstanceOf(ConfigException.class)
                .hasMessage("rounds must be a whole number from -2147483648 to 2147483647, got '4294967297'");
    }

    @Test
    void parse_attackProfiles_resolveWithEachKindsDefault() {
        ScenarioConfig s = ScenarioLoader.parse(BASE + """
                deviceProfiles:
                  - {name: honest, share: 0.6}
                  - {name: noise, share: 0.1, attack: {kind: gaussian, sigma: 0.5}}
                  - {name: flip, share: 0.1, attack: {kind: sign-flip}}
                  - {name: big, share: 0.1, attack: {kind: scale}}
                  - {name: labels, share: 0.1, attack: {kind: label-flip, mapping: permutation}}
                """, "x");

        assertThat(s.profiles().get(0).attack()).isEqualTo(Attack.NONE);
        assertThat(s.profiles().get(0).attack().malicious()).isFalse();
        assertThat(s.profiles().get(1).attack().kind()).isEqualTo(Attack.Kind.GAUSSIAN);
        assertThat(s.profiles().get(1).attack().sigma()).isEqualTo(0.5);
        assertThat(s.profiles().get(2).attack().factor()).as("a plain sign flip").isEqualTo(1);
        assertThat(s.profiles().get(3).attack().factor()).isEqualTo(10);
        assertThat(s.profiles().get(4).attack().mapping()).isEqualTo(Attack.LabelMapping.PERMUTATION);
        assertThat(s.profiles().get(4).attack().describe()).containsEntry("kind", "label-flip").containsEntry("mapping", "permutation");
        assertThat(DeviceProfile.ideal().attack()).isEqualTo(Attack.NONE);
    }

    @Test
    void parse_badAttacks_failNamingTheKey() {
        String profiles = BASE + "deviceProfiles:\n  - {share: 0.5}\n  - {share: 0.5, attack: ";
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "{kind: meteor}}\n", "x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("deviceProfiles[1].attack").hasMessageContaining("unknown attack kind 'meteor'");
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "{sigma: 1}}\n", "x")).hasMessageContaining("unknown attack kind ''");
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "{kind: gaussian, sigma: 0}}\n", "x"))
                .hasMessageContaining("invalid deviceProfiles[1].attack.sigma: 0.0");
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "{kind: scale, factor: -10}}\n", "x"))
                .hasMessageContaining("invalid deviceProfiles[1].attack.factor: -10.0");
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "{kind: gaussian, factor: 3}}\n", "x"))
                .as("a setting another kind uses is a mistake").hasMessageContaining("unknown key 'deviceProfiles[1].attack.factor'");
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "{kind: label-flip, mapping: rotate}}\n", "x"))
                .hasMessageContaining("deviceProfiles[1].attack").hasMessageContaining("unknown label mapping 'rotate'");
        assertThatThrownBy(() -> ScenarioLoader.parse(profiles + "gaussian}\n", "x")).hasMessageContaining("deviceProfiles[1].attack must be a mapping");
    }

    @Test
    void shippedByzantineScenarios_differFromTheCleanBaselineInTheAttackersAlone() {
        ScenarioConfig clean = ScenarioLoader.named("fmnist-byzantine-clean");
        assertThat(clean.profiles()).allSatisfy(p -> assertThat(p.attack().malicious()).isFalse());
        assertThat(List.of(clean.devices(), clean.devicesPerRound(), clean.model().toString(), clean.partition().kind()))
                .isEqualTo(List.of(100, 10, "mlp:784-200-200-10", "iid"));
        assertThat(clean.coordinator()).as("FedAvg unless a run picks a rule").isEmpty();
        for (String attack : List.of("gaussian", "sign-flip", "scale", "label-flip")) {
            ScenarioConfig s = ScenarioLoader.named("fmnist-byzantine-" + attack);
            assertThat(List.of(s.devices(), s.devicesPerRound(), s.rounds(), s.partition(), s.training(), s.model(), s.pipeline(),
                    s.pushOnDemand(), s.seed(), s.roundTimeout(), s.coordinator()))
                    .as(attack).isEqualTo(List.of(clean.devices(), clean.devicesPerRound(), clean.rounds(), clean.partition(),
                            clean.training(), clean.model(), clean.pipeline(), clean.pushOnDemand(), clean.seed(), clean.roundTimeout(),
                            clean.coordinator()));
            assertThat(s.profiles().stream().filter(p -> p.attack().malicious()).mapToDouble(DeviceProfile::share).sum())
                    .as(attack).isEqualTo(0.2);
            assertThat(s.profiles().stream().filter(p -> p.attack().malicious()).map(p -> p.attack().kind().yamlName()))
                    .as(attack).containsOnly(attack);
        }
    }
}
